// SPDX-License-Identifier: GPL-3.0-or-later
// Percentiles of a list of numbers.

/** Nearest-rank percentile `p` (0..100) of `values` (not modified). */
export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}
