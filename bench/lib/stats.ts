/** Returns the q-quantile (0 ≤ q ≤ 1) of the values by linear interpolation between ranks. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const position = (sorted.length - 1) * q
  const lower = Math.floor(position)
  const upper = Math.ceil(position)
  return sorted[lower]! + (sorted[upper]! - sorted[lower]!) * (position - lower)
}

/** Median and 95th percentile of a series of timings. */
export interface Percentiles {
  count: number
  p50: number
  p95: number
}

export function percentiles(values: readonly number[]): Percentiles {
  return { count: values.length, p50: quantile(values, 0.5), p95: quantile(values, 0.95) }
}

/** Formats milliseconds with one decimal. */
export function ms(value: number): string {
  return Number.isFinite(value) ? value.toFixed(1) : 'n/a'
}

/** Formats bytes as MB (10^6 bytes) with one decimal. */
export function megabytes(bytes: number): string {
  return (bytes / 1e6).toFixed(1)
}

/** Cosine similarity of two vectors of the same length. */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0
  let normA = 0
  let normB = 0
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!
    normA += a[i]! * a[i]!
    normB += b[i]! * b[i]!
  }
  return dot / Math.sqrt(normA * normB)
}

/** Index of the largest value. */
export function argmax(values: ArrayLike<number>): number {
  let best = 0
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i
  return best
}
