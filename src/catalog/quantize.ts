/**
 * Per-vector affine uint8 quantisation of catalog vectors: value ≈ offset + code × step, where
 * offset is the vector's minimum and step spreads its range over the 256 codes. MobileNetV2
 * embeddings are non-negative and differ in scale between images, so one offset and step per
 * vector keep the error below step / 2 for every value.
 */
export interface QuantizedVector {
  codes: Uint8Array
  offset: number
  step: number
}

/** Quantises a vector to uint8 codes with its own offset and step. */
export function quantizeVector(vector: ArrayLike<number>): QuantizedVector {
  let min = Infinity
  let max = -Infinity
  for (let i = 0; i < vector.length; i++) {
    const value = vector[i]!
    if (value < min) min = value
    if (value > max) max = value
  }
  if (vector.length === 0) {
    return { codes: new Uint8Array(0), offset: 0, step: 0 }
  }
  const step = max > min ? (max - min) / 255 : 0
  const codes = new Uint8Array(vector.length)
  if (step > 0) {
    for (let i = 0; i < vector.length; i++) {
      codes[i] = Math.round((vector[i]! - min) / step)
    }
  }
  return { codes: codes, offset: Math.fround(min), step: Math.fround(step) }
}

/** Reconstructs the float vector of quantised codes. */
export function dequantizeVector(codes: Uint8Array, offset: number, step: number): Float32Array {
  const vector = new Float32Array(codes.length)
  for (let i = 0; i < codes.length; i++) vector[i] = offset + codes[i]! * step
  return vector
}
