import { readFileSync } from 'node:fs'
import { join } from 'node:path'

const BYTES_PER_VALUE = { float32: 4, int32: 4 }

/**
 * Reads the weights of a TF.js graph model from its shard files in `folder`.
 * Returns a Map from weight name to `{ shape, dtype, data }`, where data is a Float32Array or
 * Int32Array copied out of the shards. Quantised TF.js weights are not supported.
 */
export function readTfjsWeights(modelJson, folder) {
  const weights = new Map()
  for (const group of modelJson.weightsManifest) {
    const shards = Buffer.concat(group.paths.map((path) => readFileSync(join(folder, path))))
    let offset = 0
    for (const spec of group.weights) {
      if (spec.quantization) throw new Error(`weight ${spec.name} is quantised; not supported`)
      const bytesPerValue = BYTES_PER_VALUE[spec.dtype]
      if (!bytesPerValue)
        throw new Error(`weight ${spec.name} has dtype ${spec.dtype}; not supported`)
      const count = spec.shape.reduce((product, size) => product * size, 1)
      const bytes = shards.subarray(offset, offset + count * bytesPerValue)
      if (bytes.length !== count * bytesPerValue) {
        throw new Error(`weight ${spec.name} runs past the end of its shards`)
      }
      const copy = new Uint8Array(bytes).buffer
      const data = spec.dtype === 'int32' ? new Int32Array(copy) : new Float32Array(copy)
      weights.set(spec.name, { shape: spec.shape, dtype: spec.dtype, data })
      offset += bytes.length
    }
  }
  return weights
}
