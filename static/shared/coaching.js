// The coaching figures (docs/api.md §3 "Coaching") as the console and the rep's page show
// them: one row per figure in the API's order, named in words, with the median beside it and
// "below" said in text, never by colour alone.
import { Money, numberFormat } from './format.js';

const ACTIVITY_LABELS = { call: 'Calls', email: 'Emails', meeting: 'Meetings', demo: 'Demos' };
const countFmt = numberFormat({ maximumFractionDigits: 2 });
// Coaching money is exact to the cent, so the cents are always shown.
const cents = new Money('USD', { minDigits: 2, maxDigits: 2 });

/** An activity's name as a heading: the four known ones in words, others capitalised. */
export const activityLabel = (name) => ACTIVITY_LABELS[name] || (name ? name[0].toUpperCase() + name.slice(1) : name);

/** The figures of a view (its activity_types first), each {key, label, money}. */
export function figures(view) {
  return [
    ...(view.activity_types || []).map((n) => ({ key: `activities.${n}`, label: activityLabel(n), money: false })),
    { key: 'activities_total', label: 'All activities', money: false },
    { key: 'deals_won', label: 'Deals won', money: false },
    { key: 'amount_won', label: 'Amount won', money: true },
    { key: 'average_deal_size', label: 'Average deal', money: true },
    { key: 'activities_per_win', label: 'Activities per win', money: false },
  ];
}

/** The value of figure key in f (the API's figures object); null when it has none. */
export function valueOf(f, key) {
  if (!f) return null;
  if (key.startsWith('activities.')) return (f.activities && f.activities[key.slice('activities.'.length)]) ?? 0;
  return f[key] ?? null;
}

/** A figure as text in the view's currency; "—" for none (no deal won: no ratio). */
export function figureText(view, fig, v) {
  if (v === null || v === undefined) return '—';
  if (!fig.money) return countFmt.format(Number(v));
  cents.set(view.currency);
  return cents.format(v);
}

/** The range a view covers, as local days ("Mar 1 – Mar 31, 2026"); to is exclusive. */
export function rangeText(view) {
  const from = localDay(view.from);
  const last = localDay(view.to, -1);
  if (!from || !last) return '';
  const fmt = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', year: 'numeric', timeZone: 'UTC' });
  return from.getTime() === last.getTime() ? fmt.format(from) : fmt.formatRange ? fmt.formatRange(from, last) : `${fmt.format(from)} – ${fmt.format(last)}`;
}

/** The local calendar day an RFC 3339 time with offset names (shifted by days), as UTC midnight. */
function localDay(iso, days = 0) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(iso || '');
  if (!m) return null;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  // "to" is the instant after the range: a midnight ends the day before, anything later that day.
  if (days < 0 && m[4] === '00' && m[5] === '00') d.setUTCDate(d.getUTCDate() + days);
  return d;
}

/** A small "▼ below" tag (its full meaning for screen readers). */
export function belowTag(doc = document) {
  const tag = doc.createElement('span');
  tag.className = 'below-mark';
  const shown = doc.createElement('span');
  shown.setAttribute('aria-hidden', 'true');
  shown.textContent = '▼ below';
  const said = doc.createElement('span');
  said.className = 'sr-only vh'; // each page's own visually-hidden class
  said.textContent = 'below the team median';
  tag.append(shown, said);
  return tag;
}
