/**
 * Runs `task` and returns its result and the milliseconds of CPU time this process spent on it
 * (user + system). CPU time is less disturbed than wall-clock time by other programs sharing the
 * machine, and the engines compared here all run on one thread.
 */
export function timeSync<T>(task: () => T): { result: T; milliseconds: number } {
  const start = process.cpuUsage()
  const result = task()
  const spent = process.cpuUsage(start)
  return { result, milliseconds: (spent.user + spent.system) / 1000 }
}

/** Returns the median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

/** Returns the mean of a non-empty list. */
export function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length
}

/** Returns the sample standard deviation (divisor n − 1), or NaN for fewer than two values. */
export function standardDeviation(values: readonly number[]): number {
  if (values.length < 2) return Number.NaN
  const average = mean(values)
  const squares = values.reduce((sum, value) => sum + (value - average) ** 2, 0)
  return Math.sqrt(squares / (values.length - 1))
}
