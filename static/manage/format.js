// How the console writes amounts, dates and durations, and reads the wall-clock times a manager
// types in a contest's own time zone.
import { dateFormat, locale, numberFormat, pad2 } from '../shared/format.js';
import { money, now } from './state.js';

const numFmt = numberFormat({ maximumFractionDigits: 2 });
export const intFmt = numberFormat({ maximumFractionDigits: 0 });
export const signedFmt = numberFormat({ maximumFractionDigits: 0, signDisplay: 'exceptZero' });
const dateTimeFmt = dateFormat({ month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
const yearDateTimeFmt = dateFormat({ year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
export const timeFmt = dateFormat({ hour: '2-digit', minute: '2-digit', second: '2-digit' });
const relFmt = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
export const browserZone = (() => {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
})();

/** "$5K": an amount in a title. */
export const shortMoney = (v) => {
  const n = Number(v) || 0;
  try {
    return numberFormat({ style: 'currency', currency: money.code, notation: 'compact', maximumFractionDigits: 1 }).format(n);
  } catch {
    return money.format(n);
  }
};
export const points = (v) => `${intFmt.format(Number(v) || 0)} points`;

export function when(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  return (d.getFullYear() === new Date().getFullYear() ? dateTimeFmt : yearDateTimeFmt).format(d);
}

/** An instant as the wall clock of zone tz shows it (a contest's own zone). */
export function whenIn(iso, tz) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  try {
    return dateFormat({
      timeZone: tz, year: d.getFullYear() === new Date().getFullYear() ? undefined : 'numeric',
      month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit',
    }).format(d);
  } catch {
    return when(iso);
  }
}

export function ago(iso) {
  if (!iso) return 'never';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '—';
  const s = Math.round((t - now()) / 1000);
  const a = Math.abs(s);
  if (a < 5) return 'just now';
  if (a < 60) return relFmt.format(s, 'second');
  if (a < 3600) return relFmt.format(Math.round(s / 60), 'minute');
  if (a < 86400) return relFmt.format(Math.round(s / 3600), 'hour');
  return relFmt.format(Math.round(s / 86400), 'day');
}

export function countdown(ms) {
  if (ms <= 0) return '0:00';
  const s = Math.floor(ms / 1000);
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = s % 60;
  if (hh >= 48) return `${Math.floor(hh / 24)} days`;
  return hh > 0 ? `${hh}:${pad2(mm)}:${pad2(ss)}` : `${mm}:${pad2(ss)}`;
}

export function durationWords(ms) {
  const m = Math.round(ms / 60000);
  if (m < 60) return `${m} min`;
  if (m % 60 === 0 && m < 48 * 60) return m === 60 ? '1 hour' : `${m / 60} hours`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export const PERIODS = { none: '', day: 'daily board', week: 'weekly board', month: 'monthly board', quarter: 'quarterly board' };
export const REASONS = { incentive: 'Incentive', prize: 'Prize', adjustment: 'Adjustment', clawback: 'Clawback' };

export function scoreText(metric, v) {
  if (v === null || v === undefined || v === '') return '';
  return metric === 'revenue' ? money.format(v) : numFmt.format(Number(v) || 0);
}

// ------------------------------------------------------------------ time zones

/** The offset of zone tz from UTC at the instant utcMs, in ms. Throws on an unknown zone. */
function zoneOffset(tz, utcMs) {
  const f = new Intl.DateTimeFormat('en-US', {
    timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  });
  const p = {};
  for (const part of f.formatToParts(new Date(utcMs))) p[part.type] = part.value;
  const asUTC = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour % 24, +p.minute, +p.second);
  return asUTC - Math.floor(utcMs / 1000) * 1000;
}

function offsetText(ms) {
  const m = Math.round(ms / 60000);
  const sign = m < 0 ? '-' : '+';
  const a = Math.abs(m);
  return `${sign}${pad2(Math.floor(a / 60))}:${pad2(a % 60)}`;
}

/** The instant (ms) as RFC 3339 in zone tz, with that zone's offset then. */
function rfc3339In(utcMs, tz) {
  const off = zoneOffset(tz, utcMs);
  const w = new Date(utcMs + off);
  return `${w.getUTCFullYear()}-${pad2(w.getUTCMonth() + 1)}-${pad2(w.getUTCDate())}T${pad2(w.getUTCHours())}:${pad2(w.getUTCMinutes())}:${pad2(w.getUTCSeconds())}${offsetText(off)}`;
}

/**
 * A datetime-local value ("2026-12-01T09:00") read as wall time in zone tz, as RFC 3339 with
 * the zone's offset ("2026-12-01T09:00:00-05:00"). A wall time that a DST change skips moves
 * forward by the gap. An unknown zone reads it in the browser's own zone (the API then names
 * the time zone as the bad field). Empty: null.
 */
export function wallToRFC3339(wall, tz) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(wall || '');
  if (!m) return null;
  const asUTC = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] || 0));
  try {
    let t = asUTC - zoneOffset(tz, asUTC);
    const second = zoneOffset(tz, t);
    if (asUTC - second !== t) t = asUTC - second;
    return rfc3339In(t, tz);
  } catch {
    const local = new Date(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] || 0));
    return rfc3339In(local.getTime(), browserZone);
  }
}

/** An instant as a datetime-local value in the browser's zone. */
export function localInputValue(ms) {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}T${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

/** An instant as a datetime-local value in zone tz. */
export function zonedInputValue(ms, tz) {
  try {
    return rfc3339In(ms, tz).slice(0, 16);
  } catch {
    return localInputValue(ms);
  }
}
