/**
 * Summary statistics of benchmark samples. Percentiles use the nearest-rank method (a percentile is always one
 * of the samples), so a p99 of 100 samples is the 99th smallest, never an interpolation nobody measured.
 */

/** Count, extremes, nearest-rank median and 99th percentile, and mean of a set of samples. */
export interface Summary {
  readonly count: number
  readonly min: number
  readonly p50: number
  readonly p99: number
  readonly max: number
  readonly mean: number
}

/**
 * Summarizes `samples` (in any order; not modified).
 *
 * @throws RangeError if `samples` is empty: there is no honest minimum or median of nothing.
 */
export function summarize (samples: readonly number[]): Summary {
  if (samples.length === 0) throw new RangeError('Expected at least one sample to summarize, got none')
  const sorted = [...samples].sort((a, b) => a - b)
  let sum = 0
  for (const sample of sorted) sum += sample
  return {
    count: sorted.length,
    min: sorted[0]!,
    p50: nearestRank(sorted, 50),
    p99: nearestRank(sorted, 99),
    max: sorted[sorted.length - 1]!,
    mean: sum / sorted.length
  }
}

/** `value` rounded to `digits` decimal places (half away from zero, as people round by hand). */
export function round (value: number, digits = 1): number {
  const scale = 10 ** digits
  return Math.sign(value) * Math.round(Math.abs(value) * scale) / scale
}

/** The smallest sample with at least `percent` % of the samples at or below it: rank ceil(p/100 × n). */
function nearestRank (sorted: readonly number[], percent: number): number {
  const rank = Math.max(1, Math.ceil(percent / 100 * sorted.length))
  return sorted[rank - 1]!
}
