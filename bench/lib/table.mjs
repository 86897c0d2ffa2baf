// SPDX-License-Identifier: GPL-3.0-or-later
// The benchmark's one table: rows of a measured value ("ours") beside the baselines measured in
// the same run, with ratios. Rendered as aligned plain text; saved as JSON.

const SCALES = {
  ns: [[1e9, 's'], [1e6, 'ms'], [1e3, 'µs'], [1, 'ns']],
  ms: [[1e3, 's'], [1, 'ms']],
  'msg/s': [[1e6, 'M msg/s'], [1e3, 'k msg/s'], [1, 'msg/s']],
  B: [[2 ** 30, 'GiB'], [2 ** 20, 'MiB'], [2 ** 10, 'KiB'], [1, 'B']],
  'B/s': [[2 ** 20, 'MiB/s'], [2 ** 10, 'KiB/s'], [1, 'B/s']],
};

/** `value` in `unit` as text with three significant digits and a scaled unit. */
export function formatValue(value, unit) {
  if (value === undefined || value === null || Number.isNaN(value)) return 'n/a';
  const scales = SCALES[unit] ?? [[1, unit]];
  const [factor, name] = scales.find(([f]) => Math.abs(value) >= f) ?? scales[scales.length - 1];
  const scaled = value / factor;
  const digits = Math.abs(scaled) >= 100 || Number.isInteger(scaled) ? 0 : Math.abs(scaled) >= 10 ? 1 : 2;
  return `${scaled.toFixed(digits)}${name ? ` ${name}` : ''}`;
}

function formatRatio(ours, them) {
  if (!them || !Number.isFinite(ours) || !Number.isFinite(them)) return '';
  const ratio = ours / them;
  return ratio >= 100 ? ratio.toFixed(0) : ratio >= 10 ? ratio.toFixed(1) : ratio.toFixed(2);
}

/**
 * A row: {section, measure, value, unit, vs: [{label, value}], note}; `vs` values share the
 * row's unit. A row whose section could not run has `value` undefined and says why in `note`.
 */
export function toLines(rows) {
  const lines = [['section', 'measurement', 'ours', 'compared with (same run)', '', 'ours/them', 'notes']];
  let section;
  for (const row of rows) {
    const vs = row.vs?.length ? row.vs : [undefined];
    vs.forEach((base, i) => {
      lines.push([
        i === 0 && row.section !== section ? row.section : '',
        i === 0 ? row.measure : '',
        i === 0 ? (row.value === undefined ? 'NOT RUN' : formatValue(row.value, row.unit)) : '',
        base?.label ?? '',
        base ? formatValue(base.value, row.unit) : '',
        base ? formatRatio(row.value, base.value) : '',
        i === 0 ? (row.note ?? '') : '',
      ]);
    });
    section = row.section;
  }
  return lines;
}

/** Aligned plain text, with a rule under the header and between sections. */
export function render(rows) {
  const lines = toLines(rows);
  const widths = lines[0].map((_, c) => Math.max(...lines.map((line) => [...line[c]].length)));
  const pad = (cell, c) => cell + ' '.repeat(widths[c] - [...cell].length);
  const text = [];
  lines.forEach((line, i) => {
    if (i > 0 && line[0] !== '') {
      text.push(widths.map((w) => '-'.repeat(w)).join('  '));
    }
    text.push(line.map(pad).join('  ').trimEnd());
  });
  return text.join('\n');
}
