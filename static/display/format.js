// How the wall display writes scores and times: big, short, and never money when the pairing
// says amounts=hide.
import { dateFormat, formatDuration, metricOf, numberFormat } from '../shared/format.js';
import { money, pairing } from './state.js';

export const countFmt = numberFormat({ maximumFractionDigits: 2 });
export const pointsFmt = numberFormat({ maximumFractionDigits: 1 });
export const timeFmt = dateFormat({ hour: '2-digit', minute: '2-digit' });
export const dayTimeFmt = dateFormat({ weekday: 'short', hour: '2-digit', minute: '2-digit' });
export const dateFmt = dateFormat({ month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });

/** Whether a contest's scores are shown at all (amounts=hide keeps money off the wall). */
export const showsScore = (c) => !(pairing.hideAmounts && metricOf(c) === 'revenue');

export function formatScore(c, v) {
  switch (metricOf(c)) {
    case 'revenue': return money.format(v);
    case 'points': return pointsFmt.format(Number(v) || 0);
    default: return countFmt.format(Number(v) || 0);
  }
}

/** A timer that keeps its width on the wall. */
export const clockDuration = (ms) => formatDuration(ms, { clock: true });

export function shortDuration(ms) {
  const m = Math.max(0, Math.round(ms / 60000));
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${String(m % 60).padStart(2, '0')} min`;
  return `${Math.floor(h / 24)} days`;
}
