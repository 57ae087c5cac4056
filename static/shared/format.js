// Money, numbers and durations the same way on every page, in the browser's own locale.

export const locale = navigator.language || 'en-US';

export const pad2 = (n) => String(n).padStart(2, '0');

/** A number format in the page's locale. */
export const numberFormat = (opts) => new Intl.NumberFormat(locale, opts);

/** A date and time format in the page's locale. */
export const dateFormat = (opts) => new Intl.DateTimeFormat(locale, opts);

/**
 * Amounts in the one currency the server names in its welcome. A code the browser does not
 * know falls back to plain numbers rather than breaking the page.
 */
export class Money {
  /**
   * @param {string} code ISO 4217
   * @param {{minDigits?: number, maxDigits?: number}} [digits] fraction digits shown
   */
  constructor(code = 'USD', { minDigits = 0, maxDigits = 0 } = {}) {
    this.minDigits = minDigits;
    this.maxDigits = maxDigits;
    this.code = '';
    this.fmt = null;
    this.set(code);
  }

  /** Switches to code (empty: USD); tells whether it changed. */
  set(code) {
    const next = code || 'USD';
    if (this.fmt && next === this.code) return false;
    this.code = next;
    try {
      this.fmt = numberFormat({ style: 'currency', currency: next, minimumFractionDigits: this.minDigits, maximumFractionDigits: this.maxDigits });
    } catch {
      this.fmt = numberFormat({ maximumFractionDigits: this.maxDigits });
    }
    return true;
  }

  format(v) {
    return this.fmt.format(Number(v) || 0);
  }
}

/**
 * A countdown is "m:ss" or "h:mm:ss"; with clock, always "hh:mm:ss" (a wall display's timer that
 * keeps its width); "1d 02h 05m" past a day either way.
 */
export function formatDuration(ms, { clock = false } = {}) {
  if (!(ms > 0)) ms = 0;
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d > 0) return `${d}d ${pad2(h)}h ${pad2(m)}m`;
  if (clock) return `${pad2(h)}:${pad2(m)}:${pad2(sec)}`;
  if (h > 0) return `${h}:${pad2(m)}:${pad2(sec)}`;
  return `${m}:${pad2(sec)}`;
}

/** A contest's metric as its column and card say it. */
export const METRICS = { revenue: 'Revenue', deals: 'Deals', units: 'Units', points: 'Points' };

/** The metric of a page's contest entry ({meta: contest}); '' until the contest is read. */
export const metricOf = (c) => (c && c.meta && c.meta.metric) || '';
