/**
 * Seeded pseudo-random numbers for the forest. Every random choice of a build or an update comes
 * from these functions, so the same seed and data give the same forest on every platform.
 */

/** Mixes the bits of a 32-bit integer (the finaliser of MurmurHash3). Returns an unsigned 32-bit value. */
export function mix32(value: number): number {
  let h = value >>> 0
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/** Hashes a list of 32-bit integers into one unsigned 32-bit value. */
export function hashIntegers(...values: number[]): number {
  let h = 0x9e3779b9
  for (const value of values) {
    h = mix32(h ^ mix32(value + 0x7f4a7c15))
  }
  return h
}

/** Upper bounds of the Poisson(1) cumulative distribution, scaled to 2^32, for k = 0, 1, 2, ... */
const POISSON_ONE_CDF = buildPoissonOneCdf()

function buildPoissonOneCdf(): Float64Array {
  const bounds: number[] = []
  let probability = Math.exp(-1)
  let cumulative = 0
  for (let k = 0; cumulative < 1 - 1e-15 && k < 32; k++) {
    cumulative += probability
    bounds.push(cumulative * 2 ** 32)
    probability /= k + 1
  }
  return Float64Array.from(bounds)
}

/**
 * Returns how many copies of one example one tree draws, a Poisson(1) count derived from a hash of
 * (seed, tree, example). Because the count depends only on those three numbers, a full rebuild and
 * an incremental update give every example the same count in every tree.
 */
export function poissonBootstrapCount(seed: number, tree: number, example: number): number {
  const u = hashIntegers(seed, tree, example)
  let k = 0
  while (k < POISSON_ONE_CDF.length - 1 && u >= POISSON_ONE_CDF[k]!) k++
  return k
}

/** xoshiro128** generator (Blackman and Vigna, 2018), seeded through splitmix32. */
export class SeededRandom {
  private a: number
  private b: number
  private c: number
  private d: number

  constructor(seed: number) {
    let state = seed >>> 0
    const next = (): number => {
      state = (state + 0x9e3779b9) >>> 0
      return mix32(state)
    }
    this.a = next()
    this.b = next()
    this.c = next()
    this.d = next() | 1
  }

  /** Returns an unsigned 32-bit integer. */
  nextUint32(): number {
    const result = Math.imul(rotateLeft(Math.imul(this.b, 5), 7), 9) >>> 0
    const t = this.b << 9
    this.c ^= this.a
    this.d ^= this.b
    this.b ^= this.c
    this.a ^= this.d
    this.c ^= t
    this.d = rotateLeft(this.d, 11)
    return result
  }

  /** Returns an integer in [0, bound) by scaling one 32-bit draw, so the bias is below bound / 2^32. */
  nextInt(bound: number): number {
    return Math.floor((this.nextUint32() / 2 ** 32) * bound)
  }
}

function rotateLeft(value: number, bits: number): number {
  return (value << bits) | (value >>> (32 - bits))
}
