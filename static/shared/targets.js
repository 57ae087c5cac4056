// Targets and attainment (docs/api.md §3 "Targets") as every page says them: a period key in
// words, a percent, how much of a bar it fills, and the period keys of a date.
import { locale, numberFormat, pad2 } from './format.js';

const monthFmt = new Intl.DateTimeFormat(locale, { month: 'long', year: 'numeric', timeZone: 'UTC' });

/** "2026-07" as "July 2026", "2026-Q3" as "Q3 2026"; anything else as it is. */
export function periodName(key) {
  let m = /^(\d{4})-(\d{2})$/.exec(key || '');
  if (m) return monthFmt.format(new Date(Date.UTC(+m[1], +m[2] - 1, 1)));
  m = /^(\d{4})-Q([1-4])$/.exec(key || '');
  if (m) return `Q${m[2]} ${m[1]}`;
  return key || '';
}

// Truncated, not rounded: 99.6 % is not yet "100 %".
const pctFmts = [0, 1, 2].map((d) => numberFormat({ style: 'percent', maximumFractionDigits: d, roundingMode: 'trunc' }));

/** A percent of the API (55.25 for 55.25 %) in words; "—" for none (a target of 0). */
export function pctText(pct, digits = 0) {
  if (pct === null || pct === undefined || !Number.isFinite(Number(pct))) return '—';
  return pctFmts[Math.max(0, Math.min(2, digits))].format(Number(pct) / 100);
}

/** How much of a bar a percent fills, 0 to 1 (past the target: all of it). */
export const share = (pct) => (Number(pct) > 0 ? Math.min(1, Number(pct) / 100) : 0);

/** Whether a percent has reached the target. */
export const reached = (pct) => Number(pct) >= 100;

/** The month key of a date in the browser's calendar ("2026-07"). */
export const monthKey = (d = new Date()) => `${d.getFullYear()}-${pad2(d.getMonth() + 1)}`;

/** The quarter key of a date in the browser's calendar ("2026-Q3"). */
export const quarterKey = (d = new Date()) => `${d.getFullYear()}-Q${Math.floor(d.getMonth() / 3) + 1}`;
