/**
 * Benchmark of text embeddings: embeds the 3,000 labelled sentences of
 * $FEATUREFOREST_DATA/text_sentiment/sentences.csv through POST /embed of a local wrangler dev
 * server, then compares this project's forest with scikit-learn's RandomForestClassifier and
 * LogisticRegression on a fixed 50/50 split of the same vectors, and reports the latency of
 * POST /embed for a 20-word sentence (bench/lib/text-latency.ts). Run: npx tsx bench/text.ts
 *
 * Vectors are cached in bench/.cache/ under the sha256 of the installed model. Later runs skip
 * embedding unless the model changes, but the latency step always starts a server.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, writeFileSync, existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import manifest from '../models/use-lite.json'
import { trainForest } from '../src/forest'
import { splitInHalves } from './lib/split'
import { measureTextLatency, printTextLatency } from './lib/text-latency'
import { REPO_ROOT, startWorkerServer, type WorkerServer } from './lib/worker-server'

const BATCH_TEXTS = 32
const TREES = 100
const SEEDS = [1, 2, 3]
const PYTHON = process.env.FEATUREFOREST_PYTHON ?? '/usr/bin/python3'
const CACHE = join(REPO_ROOT, 'bench', '.cache', `text-${manifest.installed.sha256.slice(0, 12)}`)

interface Sentence {
  id: string
  text: string
  label: string
}

/** Parses sentences.csv: header `id,text,label,domain`, fields quoted with "" escapes. */
function readSentences(): Sentence[] {
  const folder = process.env.FEATUREFOREST_DATA
  if (!folder) throw new Error('set FEATUREFOREST_DATA to the data folder')
  const text = readFileSync(join(folder, 'text_sentiment', 'sentences.csv'), 'utf8')
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!
    if (quoted && char === '"' && text[i + 1] === '"') {
      field += '"'
      i++
    } else if (char === '"') {
      quoted = !quoted
    } else if (!quoted && char === ',') {
      row.push(field)
      field = ''
    } else if (!quoted && (char === '\n' || char === '\r')) {
      if (field !== '' || row.length > 0) rows.push([...row, field])
      row = []
      field = ''
    } else {
      field += char
    }
  }
  if (field !== '' || row.length > 0) rows.push([...row, field])
  return rows.slice(1).map(([id, sentence, label]) => ({ id: id!, text: sentence!, label: label! }))
}

async function postTexts(server: WorkerServer, texts: string[]): Promise<Response> {
  return fetch(`${server.url}/embed?include=vectors`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ texts }),
    signal: AbortSignal.timeout(120_000),
  })
}

/** Embeds every sentence through the server in batches; returns one vector per sentence. */
async function embedAll(server: WorkerServer, sentences: Sentence[]): Promise<Float32Array[]> {
  const vectors: Float32Array[] = []
  for (let start = 0; start < sentences.length; start += BATCH_TEXTS) {
    const texts = sentences.slice(start, start + BATCH_TEXTS).map((sentence) => sentence.text)
    const response = await postTexts(server, texts)
    if (!response.ok) throw new Error(`POST /embed: ${response.status} ${await response.text()}`)
    const body = (await response.json()) as { items: { vectors: { embedding: number[] } }[] }
    vectors.push(...body.items.map((item) => Float32Array.from(item.vectors.embedding)))
  }
  return vectors
}

/** Returns cached vectors, or embeds the sentences and caches them. */
async function loadVectors(sentences: Sentence[], server: () => Promise<WorkerServer>) {
  const path = `${CACHE}.bin`
  if (existsSync(path)) {
    const bytes = readFileSync(path)
    const values = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4)
    if (values.length === sentences.length * 512) {
      return sentences.map((_, i) => values.slice(i * 512, (i + 1) * 512))
    }
  }
  const started = performance.now()
  const vectors = await embedAll(await server(), sentences)
  console.log(
    `embedded ${vectors.length} sentences in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  )
  mkdirSync(join(REPO_ROOT, 'bench', '.cache'), { recursive: true })
  const all = new Float32Array(vectors.length * 512)
  vectors.forEach((vector, i) => all.set(vector, i * 512))
  writeFileSync(path, new Uint8Array(all.buffer))
  return vectors
}

/** Fits scikit-learn's RandomForestClassifier and LogisticRegression; returns test accuracies. */
function runSklearn(
  train: Float32Array[],
  trainLabels: number[],
  test: Float32Array[],
  testLabels: number[],
) {
  const folder = mkdtempSync(join(tmpdir(), 'featureforest-text-bench-'))
  try {
    const stack = (rows: Float32Array[]) => {
      const all = new Float32Array(rows.length * 512)
      rows.forEach((row, i) => all.set(row, i * 512))
      return new Uint8Array(all.buffer)
    }
    writeFileSync(join(folder, 'xtrain.bin'), stack(train))
    writeFileSync(join(folder, 'xtest.bin'), stack(test))
    writeFileSync(join(folder, 'y.json'), JSON.stringify({ train: trainLabels, test: testLabels }))
    const script = `
import json, sys, numpy as np, sklearn
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
d = sys.argv[1]
y = json.load(open(d + '/y.json'))
xtr = np.fromfile(d + '/xtrain.bin', dtype='<f4').reshape(-1, 512)
xte = np.fromfile(d + '/xtest.bin', dtype='<f4').reshape(-1, 512)
ytr, yte = np.array(y['train']), np.array(y['test'])
rf = [float((RandomForestClassifier(n_estimators=${TREES}, n_jobs=1, random_state=s).fit(xtr, ytr).predict(xte) == yte).mean()) for s in (${SEEDS.join(', ')})]
lr = float((LogisticRegression(max_iter=2000).fit(xtr, ytr).predict(xte) == yte).mean())
print(json.dumps({'version': sklearn.__version__, 'forest': rf, 'logistic': lr}))
`
    const output = execFileSync(PYTHON, ['-c', script, folder], { encoding: 'utf8' })
    return JSON.parse(output) as { version: string; forest: number[]; logistic: number }
  } finally {
    rmSync(folder, { recursive: true, force: true })
  }
}

const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length
const percent = (value: number) => `${(100 * value).toFixed(1)} %`

async function main(): Promise<void> {
  const sentences = readSentences()
  let server: WorkerServer | undefined
  const startServer = async () => (server ??= await startWorkerServer())
  try {
    // Latency first, so that its first requests meet an isolate that has not run the encoder.
    const latency = await measureTextLatency(await startServer())
    const vectors = await loadVectors(sentences, startServer)

    const split = splitInHalves({
      ids: sentences.map((s) => s.id),
      labels: sentences.map((s) => s.label),
    })
    const rows = (indexes: number[]) => indexes.map((i) => vectors[i]!)
    const labels = (indexes: number[]) => indexes.map((i) => sentences[i]!.label)
    const classes = [...new Set(sentences.map((s) => s.label))].sort()
    const classIndex = (label: string) => classes.indexOf(label)

    const ours = SEEDS.map((seed) => {
      const forest = trainForest(
        { features: rows(split.train), labels: labels(split.train) },
        { nEstimators: TREES, seed },
      )
      const predicted = forest.predict(rows(split.test))
      const expected = labels(split.test)
      return predicted.filter((label, i) => label === expected[i]).length / expected.length
    })
    const sklearn = runSklearn(
      rows(split.train),
      labels(split.train).map(classIndex),
      rows(split.test),
      labels(split.test).map(classIndex),
    )

    console.log(
      `\n${sentences.length} sentences, ${split.train.length} train / ${split.test.length} test, ${TREES} trees, seeds ${SEEDS.join(', ')}`,
    )
    console.log('| model | test accuracy (mean of seeds) | per seed |')
    console.log('| --- | --- | --- |')
    console.log(
      `| FeatureForest forest | ${percent(mean(ours))} | ${ours.map(percent).join(', ')} |`,
    )
    console.log(
      `| scikit-learn ${sklearn.version} RandomForestClassifier | ${percent(mean(sklearn.forest))} | ${sklearn.forest.map(percent).join(', ')} |`,
    )
    console.log(
      `| scikit-learn ${sklearn.version} LogisticRegression | ${percent(sklearn.logistic)} | |`,
    )
    printTextLatency(latency)
  } finally {
    await server?.stop()
  }
}

await main()
