/** Whether the platform stores the low 32 bits of a float64 first (true on x86-64 and ARM). */
const LITTLE_ENDIAN = new Uint32Array(Float64Array.of(1).buffer)[1] === 0x3ff00000

/**
 * Sorts the indices of `values` by value with an LSD radix sort over the 64 bits of each float64,
 * a byte at a time. Reusable workspaces for columns of up to `capacity` values.
 */
export class RadixSorter {
  private readonly high: Uint32Array
  private readonly low: Uint32Array
  private readonly scratch: Uint32Array
  private readonly counts = new Int32Array(256)

  constructor(capacity: number) {
    this.high = new Uint32Array(capacity)
    this.low = new Uint32Array(capacity)
    this.scratch = new Uint32Array(capacity)
  }

  /**
   * Writes to `order[0, values.length)` the indices of `values` in ascending order of value, with
   * -0 before +0. `values` must not contain NaN. Returns `order`. Costs O(8 × (n + 256)), less
   * when every value has the same byte somewhere (as the low bytes of float32 values widened to
   * float64 do), because such bytes get no pass.
   */
  sortIndices(values: Float64Array, order: Uint32Array): Uint32Array {
    const n = values.length
    const { high, low } = this
    const words = new Uint32Array(values.buffer, values.byteOffset, 2 * n)
    const highWord = LITTLE_ENDIAN ? 1 : 0

    // Bits set in some key but not in all, per word: only bytes with such bits need a pass.
    let highAny = 0
    let highAll = -1
    let lowAny = 0
    let lowAll = -1
    for (let i = 0; i < n; i++) {
      let hi = words[2 * i + highWord]!
      let lo = words[2 * i + 1 - highWord]!
      // Flipping the sign bit of a positive value, and every bit of a negative one, makes the
      // unsigned order of the bits the numeric order.
      if (hi & 0x80000000) {
        hi = ~hi
        lo = ~lo
      } else {
        hi ^= 0x80000000
      }
      high[i] = hi
      low[i] = lo
      highAny |= hi
      highAll &= hi
      lowAny |= lo
      lowAll &= lo
      order[i] = i
    }

    const highVarying = highAny ^ highAll
    const lowVarying = lowAny ^ lowAll
    let from = order
    let to = this.scratch
    for (let pass = 0; pass < 8; pass++) {
      const shift = (pass & 3) * 8
      const varying = pass < 4 ? lowVarying : highVarying
      if (((varying >>> shift) & 255) === 0) continue
      this.scatterByByte(pass < 4 ? low : high, shift, from, to, n)
      const swap = from
      from = to
      to = swap
    }

    if (from !== order) order.set(from.subarray(0, n))
    return order
  }

  /** Moves `from[0, n)` into `to` ordered by byte `shift / 8` of their keys, keeping the order of equal bytes. */
  private scatterByByte(
    keys: Uint32Array,
    shift: number,
    from: Uint32Array,
    to: Uint32Array,
    n: number,
  ): void {
    const counts = this.counts
    counts.fill(0)
    for (let i = 0; i < n; i++) counts[(keys[i]! >>> shift) & 255]!++
    let position = 0
    for (let b = 0; b < 256; b++) {
      const count = counts[b]!
      counts[b] = position
      position += count
    }
    for (let i = 0; i < n; i++) {
      const index = from[i]!
      to[counts[(keys[index]! >>> shift) & 255]!++] = index
    }
  }
}
