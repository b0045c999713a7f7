/** Returns the Euclidean norm of a vector. */
export function norm(vector: ArrayLike<number>): number {
  let sum = 0
  for (let i = 0; i < vector.length; i++) sum += vector[i]! * vector[i]!
  return Math.sqrt(sum)
}

/**
 * Returns the cosine similarity of two vectors with known norms; 0 when either is zero. The value
 * is clamped to [-1, 1], because a norm stored as float32 (as shard norms are) can be rounded
 * down far enough that nearly parallel vectors would otherwise score above 1.
 */
export function cosine(a: Float32Array, b: Float32Array, normA = norm(a), normB = norm(b)): number {
  if (normA === 0 || normB === 0) return 0
  let dot = 0
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!
  return Math.min(1, Math.max(-1, dot / (normA * normB)))
}

/** Returns the element-wise mean of vectors of the same length. */
export function meanVector(vectors: readonly Float32Array[]): Float32Array {
  const mean = new Float32Array(vectors[0]?.length ?? 0)
  for (const vector of vectors) for (let i = 0; i < mean.length; i++) mean[i]! += vector[i]!
  for (let i = 0; i < mean.length; i++) mean[i]! /= Math.max(1, vectors.length)
  return mean
}

/** Returns a − b. */
export function subtract(a: Float32Array, b: Float32Array): Float32Array {
  return a.map((value, i) => value - b[i]!)
}

/** Returns a 32-bit FNV-1a hash of bytes. */
export function hashBytes(bytes: Uint8Array): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < bytes.length; i++) {
    hash ^= bytes[i]!
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 0
}

/** Returns a 32-bit FNV-1a hash of a string, used to sample items deterministically. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 0
}
