import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

import { parseCsvRows } from '../../test/support/csv'
import { decodeRgb, resizeArea } from './node-image'
import { REPO_ROOT, startWorkerServer, type WorkerServer } from './worker-server'

/** Data sets whose images this module embeds. */
export type ImageSet = 'cats_dogs_kaggle' | 'flowers_tf'

/** Feature vectors of every image of a set, in manifest order. */
export interface DatasetFeatures {
  /** Manifest paths, relative to the set folder. */
  ids: string[]
  labels: string[]
  /** Softmax of the 1000 ImageNet logits, from POST /embed. */
  probabilities: Float32Array[]
  /** 1280-value MobileNetV2 embedding, from POST /embed. */
  embeddings: Float32Array[]
  /** Raw-pixel baseline: 32 × 32 RGB by area averaging, interleaved, in [0, 1]. */
  pixels: Float32Array[]
}

/** One row of a data set's manifest.csv. */
export interface ManifestRow {
  path: string
  label: string
}

/** Side of the raw-pixel baseline image. */
export const PIXEL_SIDE = 32

const PROBABILITY_COUNT = 1000
const EMBEDDING_COUNT = 1280
const PIXEL_COUNT = PIXEL_SIDE * PIXEL_SIDE * 3
/** Version of the cache file layout. A cache file with another version is recomputed. */
const CACHE_FORMAT = 1
const CACHE_DIR = join(REPO_ROOT, 'bench', '.cache')
const MODEL_MANIFEST = join(REPO_ROOT, 'models', 'mobilenetv2-12-int8.json')

/** Returns the folder named by FEATUREFOREST_DATA, or throws when it is not set. */
export function dataRoot(): string {
  const root = process.env.FEATUREFOREST_DATA
  if (!root) {
    throw new Error(
      'FEATUREFOREST_DATA is not set; point it at the folder that contains cats_dogs_kaggle/ and flowers_tf/',
    )
  }
  return root
}

/** Reads `<set>/manifest.csv` and returns its rows with the manifest's sha256. */
export function readManifest(set: ImageSet): { rows: ManifestRow[]; sha256: string } {
  const bytes = readFileSync(join(dataRoot(), set, 'manifest.csv'))
  const [header, ...records] = parseCsvRows(bytes.toString('utf8'))
  const pathColumn = header?.indexOf('path') ?? -1
  const labelColumn = header?.indexOf('label') ?? -1
  if (pathColumn < 0 || labelColumn < 0) {
    throw new Error(`${set}/manifest.csv has no "path" and "label" columns in its header`)
  }
  const rows = records.map((cells) => ({ path: cells[pathColumn]!, label: cells[labelColumn]! }))
  return { rows, sha256: createHash('sha256').update(bytes).digest('hex') }
}

interface CacheHeader {
  format: number
  set: ImageSet
  manifestSha256: string
  modelSha256: string
  ids: string[]
  labels: string[]
}

function modelSha256(): string {
  const manifest = JSON.parse(readFileSync(MODEL_MANIFEST, 'utf8')) as {
    installed: { sha256: string }
  }
  return manifest.installed.sha256
}

function cachePath(set: ImageSet): string {
  return join(CACHE_DIR, `features-${set}.bin`)
}

/**
 * Cache file layout: uint32 LE header length, the JSON header (UTF-8, space-padded to a
 * multiple of 4 bytes), then for each image its probabilities, embedding and pixels as
 * float32 LE.
 */
function writeCache(header: CacheHeader, features: DatasetFeatures): void {
  const json = JSON.stringify(header)
  const headerLength = Math.ceil(Buffer.byteLength(json) / 4) * 4
  const rowValues = PROBABILITY_COUNT + EMBEDDING_COUNT + PIXEL_COUNT
  const buffer = Buffer.alloc(4 + headerLength + features.ids.length * rowValues * 4, 0x20)
  buffer.writeUInt32LE(headerLength, 0)
  buffer.write(json, 4, 'utf8')
  const values = new Float32Array(buffer.buffer, buffer.byteOffset + 4 + headerLength)
  features.ids.forEach((_, i) => {
    values.set(features.probabilities[i]!, i * rowValues)
    values.set(features.embeddings[i]!, i * rowValues + PROBABILITY_COUNT)
    values.set(features.pixels[i]!, i * rowValues + PROBABILITY_COUNT + EMBEDDING_COUNT)
  })
  mkdirSync(CACHE_DIR, { recursive: true })
  const temporary = `${cachePath(header.set)}.${process.pid}.tmp`
  writeFileSync(temporary, buffer)
  renameSync(temporary, cachePath(header.set))
}

/** Returns the cached features, or undefined when the cache is missing or stale. */
function readCache(set: ImageSet, manifestSha: string): DatasetFeatures | undefined {
  let buffer: Buffer
  try {
    buffer = readFileSync(cachePath(set))
  } catch {
    return undefined
  }
  const headerLength = buffer.readUInt32LE(0)
  const header = JSON.parse(buffer.toString('utf8', 4, 4 + headerLength)) as CacheHeader
  const stale =
    header.format !== CACHE_FORMAT ||
    header.manifestSha256 !== manifestSha ||
    header.modelSha256 !== modelSha256()
  if (stale) return undefined

  const rowValues = PROBABILITY_COUNT + EMBEDDING_COUNT + PIXEL_COUNT
  const copy = new Uint8Array(buffer.subarray(4 + headerLength)).buffer
  const row = (i: number, from: number, count: number) =>
    new Float32Array(copy, (i * rowValues + from) * 4, count)
  return {
    ids: header.ids,
    labels: header.labels,
    probabilities: header.ids.map((_, i) => row(i, 0, PROBABILITY_COUNT)),
    embeddings: header.ids.map((_, i) => row(i, PROBABILITY_COUNT, EMBEDDING_COUNT)),
    pixels: header.ids.map((_, i) => row(i, PROBABILITY_COUNT + EMBEDDING_COUNT, PIXEL_COUNT)),
  }
}

interface EmbedVectors {
  vectors?: { probabilities: number[]; embedding: number[] }
}

/** Posts one image to `/embed?include=vectors` and returns its two vectors. */
async function embedOnServer(server: WorkerServer, bytes: Uint8Array, path: string) {
  const response = await fetch(`${server.url}/embed?include=vectors`, {
    method: 'POST',
    body: bytes,
    headers: { 'Content-Type': 'application/octet-stream' },
    signal: AbortSignal.timeout(60_000),
  })
  const text = await response.text()
  if (response.status !== 200 && response.status !== 201) {
    throw new Error(`POST /embed failed for ${path} with status ${response.status}: ${text}`)
  }
  const { vectors } = JSON.parse(text) as EmbedVectors
  if (vectors?.probabilities.length !== PROBABILITY_COUNT) {
    throw new Error(`POST /embed returned no ${PROBABILITY_COUNT} probabilities for ${path}`)
  }
  if (vectors.embedding.length !== EMBEDDING_COUNT) {
    throw new Error(`POST /embed returned no ${EMBEDDING_COUNT}-value embedding for ${path}`)
  }
  return {
    probabilities: Float32Array.from(vectors.probabilities),
    embedding: Float32Array.from(vectors.embedding),
  }
}

async function computeFeatures(set: ImageSet, rows: ManifestRow[]): Promise<DatasetFeatures> {
  const features: DatasetFeatures = {
    ids: rows.map((row) => row.path),
    labels: rows.map((row) => row.label),
    probabilities: [],
    embeddings: [],
    pixels: [],
  }
  const server = await startWorkerServer()
  try {
    for (const [i, row] of rows.entries()) {
      const bytes = new Uint8Array(readFileSync(join(dataRoot(), set, row.path)))
      const vectors = await embedOnServer(server, bytes, row.path)
      features.probabilities.push(vectors.probabilities)
      features.embeddings.push(vectors.embedding)
      features.pixels.push(resizeArea(decodeRgb(bytes), PIXEL_SIDE, PIXEL_SIDE))
      if ((i + 1) % 100 === 0) console.error(`embedded ${i + 1}/${rows.length} images of ${set}`)
    }
  } finally {
    await server.stop()
  }
  return features
}

/**
 * Returns MobileNetV2 probabilities and embeddings (computed by the service in workerd) and
 * a 32 × 32 raw-pixel baseline for every image of a set. The result is cached in
 * bench/.cache and recomputed when the manifest or the installed model changes.
 */
export async function loadDatasetFeatures(set: ImageSet): Promise<DatasetFeatures> {
  const { rows, sha256 } = readManifest(set)
  const cached = readCache(set, sha256)
  if (cached) return cached

  console.error(`embedding ${rows.length} images of ${set} with a local wrangler dev server`)
  const features = await computeFeatures(set, rows)
  writeCache(
    {
      format: CACHE_FORMAT,
      set,
      manifestSha256: sha256,
      modelSha256: modelSha256(),
      ids: features.ids,
      labels: features.labels,
    },
    features,
  )
  return features
}
