// How the rep's page writes scores, points and times: for a phone, in words where a number
// alone would need explaining.
import { dateFormat, locale, metricOf, numberFormat } from '../shared/format.js';
import { money, now } from './state.js';

export const pointsFmt = numberFormat({ maximumFractionDigits: 2 });
export const wholeFmt = numberFormat({ maximumFractionDigits: 0 });
const countFmt = numberFormat({ maximumFractionDigits: 2 });
export const dateFmt = dateFormat({ month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
const timeFmt = dateFormat({ hour: '2-digit', minute: '2-digit' });
const listFmt = typeof Intl.ListFormat === 'function' ? new Intl.ListFormat(locale, { style: 'long', type: 'conjunction' }) : null;

export const round2 = (v) => Math.round((Number(v) || 0) * 100) / 100;
export const plural = (n, one, many) => `${wholeFmt.format(n)} ${n === 1 ? one : many}`;
export const signedPoints = (p) => (p > 0 ? '+' : p < 0 ? '−' : '') + wholeFmt.format(Math.abs(p));

export function names(list) {
  const ns = list.map((n) => n.name || n.rep_id).filter(Boolean);
  if (ns.length > 3) return `${ns.slice(0, 2).join(', ')} and ${ns.length - 2} more`;
  return listFmt ? listFmt.format(ns) : ns.join(', ');
}

export const PERIODS = { day: 'Daily board', week: 'Weekly board', month: 'Monthly board', quarter: 'Quarterly board' };
export const REASONS = { incentive: 'Spot incentive', prize: 'Contest prize', adjustment: 'Adjustment', clawback: 'Clawback', achievement: 'Badge' };

export const isTeam = (c) => !!(c.meta && c.meta.scope === 'team');

export function formatScore(c, v) {
  switch (metricOf(c)) {
    case 'revenue': return money.format(v);
    case 'points': return `${pointsFmt.format(Number(v) || 0)} pts`;
    case 'deals': return plural(Number(v) || 0, 'deal', 'deals');
    case 'units': return plural(Number(v) || 0, 'unit', 'units');
    default: return countFmt.format(Number(v) || 0);
  }
}

/** A score difference in the contest's own unit ("2 deals", "$1,200", "15 points"). */
export function amount(c, v) {
  switch (metricOf(c)) {
    case 'revenue': return money.format(v);
    case 'deals': return plural(v, 'deal', 'deals');
    case 'units': return plural(v, 'unit', 'units');
    default: return `${pointsFmt.format(v)} points`;
  }
}

export function agoText(at) {
  const s = Math.max(0, Math.round((now() - at) / 1000));
  if (s < 45) return 'just now';
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  return timeFmt.format(new Date(at));
}
