import { createHash } from 'node:crypto'

import * as ort from 'onnxruntime-web'
import { beforeAll, describe, expect, it } from 'vitest'

import manifest from '../../models/use-lite.json'
import { convertUseLite } from '../../scripts/lib/use-lite-to-onnx.mjs'
import { embedWithTfjs, USE_LITE_FOLDER } from '../../scripts/reference/tfjs-use-lite.mjs'
import reference from './use-lite-reference.json'

/** Tolerance of the float32 conversion against TF.js. */
const FP32_TOLERANCE = 1e-5

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = 0
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!))
  return max
}

/**
 * Runs an ONNX session on id lists padded into one batch of `sequenceLength` columns, by default
 * the length of the longest list, and returns one vector per list.
 */
async function embedWithOnnx(
  session: ort.InferenceSession,
  idLists: number[][],
  sequenceLength = Math.max(...idLists.map((ids) => ids.length)),
) {
  const ids = new BigInt64Array(idLists.length * sequenceLength)
  const mask = new BigInt64Array(idLists.length * sequenceLength)
  idLists.forEach((list, row) => {
    list.forEach((id, column) => {
      ids[row * sequenceLength + column] = BigInt(id)
      mask[row * sequenceLength + column] = 1n
    })
  })
  const shape = [idLists.length, sequenceLength]
  const outputs = await session.run({
    input_ids: new ort.Tensor('int64', ids, shape),
    attention_mask: new ort.Tensor('int64', mask, shape),
  })
  const values = outputs.embedding!.data as Float32Array
  return idLists.map((_, row) => values.slice(row * 512, (row + 1) * 512))
}

describe('use-lite-to-onnx', () => {
  let fp32: Uint8Array
  let session: ort.InferenceSession

  beforeAll(async () => {
    fp32 = convertUseLite(USE_LITE_FOLDER)
    ort.env.wasm.numThreads = 1
    session = await ort.InferenceSession.create(fp32)
  })

  it('builds the float32 file with the manifest sha256', () => {
    expect(sha256(fp32)).toBe(manifest.fp32Variant.sha256)
  })

  it('builds the int8 file with the manifest sha256', () => {
    expect(sha256(convertUseLite(USE_LITE_FOLDER, { quantise: true }))).toBe(
      manifest.installed.sha256,
    )
  })

  it('matches the reference embeddings within 1e-5', async () => {
    const embeddings = await embedWithOnnx(
      session,
      reference.sentences.map((sentence) => sentence.ids),
    )

    reference.sentences.forEach((sentence, i) => {
      expect(maxAbsDifference(embeddings[i]!, sentence.embedding), sentence.text).toBeLessThan(
        FP32_TOLERANCE,
      )
    })
  })

  it('matches the reference embeddings padded to 128 tokens', async () => {
    const sentences = reference.sentences.slice(0, 11)

    const embeddings = await embedWithOnnx(
      session,
      sentences.map((sentence) => sentence.ids),
      manifest.maxTokens,
    )

    sentences.forEach((sentence, i) => {
      expect(maxAbsDifference(embeddings[i]!, sentence.embedding), sentence.text).toBeLessThan(
        FP32_TOLERANCE,
      )
    })
  })

  it('matches TF.js run live within 1e-5', async () => {
    const idLists = reference.sentences.slice(0, 4).map((sentence) => sentence.ids)
    idLists.push(reference.sentences[11]!.ids.slice(0, 40))

    const expected = await embedWithTfjs(idLists)
    const actual = await embedWithOnnx(session, idLists)

    idLists.forEach((_, i) => {
      expect(maxAbsDifference(actual[i]!, expected[i]!)).toBeLessThan(FP32_TOLERANCE)
    })
  })
})
