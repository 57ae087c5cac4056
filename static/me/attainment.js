// My targets: a ring per target of this period (docs/api.md §3 "Targets"): value of target, the
// percent, where I am heading at my pace and what I need per selling day. Read with my page
// (GET /reps/{id} and my channel's snapshot) and moved live by `attainment` messages; a rep
// with no target sees no section at all, never an empty ring.
import { METRICS, Money } from '../shared/format.js';
import { $, h } from '../shared/page.js';
import { pctText, periodName, reached, share } from '../shared/targets.js';
import { formatScore } from './format.js';
import { money } from './state.js';

const RING_R = 52;
const RING_C = 2 * Math.PI * RING_R;
const SVG = 'http://www.w3.org/2000/svg';

/** period|metric -> attainment, as the server last sent it. */
const goals = new Map();

const keyOf = (a) => `${a.period}|${a.metric}`;

/** My targets as a read of my page has them: they replace what was shown. */
export function setAttainment(list) {
  if (!Array.isArray(list)) return;
  goals.clear();
  for (const a of list) goals.set(keyOf(a), a);
  renderAttainment();
}

/** One target that moved (an attainment message): absolute values, so it replaces its last. */
export function onAttainment(a) {
  if (!a || !a.period || !a.metric) return;
  goals.set(keyOf(a), a);
  renderAttainment();
}

export function resetAttainment() {
  goals.clear();
  renderAttainment();
}

const cents = new Money('USD', { minDigits: 2, maxDigits: 2 });

/** A figure of metric (money keeps its cents where it has some: what is needed per day does). */
function figure(metric, v) {
  const n = Number(v) || 0;
  if (metric === 'revenue' && !Number.isInteger(n)) {
    cents.set(money.code);
    return cents.format(n);
  }
  return formatScore({ meta: { metric } }, n);
}

function ring(a) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 120 120');
  svg.setAttribute('class', 'ring');
  svg.setAttribute('aria-hidden', 'true');
  const circle = (cls) => {
    const c = document.createElementNS(SVG, 'circle');
    c.setAttribute('cx', '60');
    c.setAttribute('cy', '60');
    c.setAttribute('r', String(RING_R));
    c.setAttribute('class', cls);
    return c;
  };
  const fill = circle('ring-fill');
  fill.setAttribute('stroke-dasharray', `${(share(a.pct) * RING_C).toFixed(2)} ${RING_C.toFixed(2)}`);
  svg.append(circle('ring-track'), fill);
  return svg;
}

/** The lines beside the ring: how far, where I am heading, what I need. */
function lines(a) {
  const out = [h('p', { class: 'g-of', text: `${figure(a.metric, a.value)} of ${figure(a.metric, a.target)}` })];
  if (a.projected !== undefined && a.projected !== null) {
    out.push(h('p', { class: 'g-pace', text: `On pace for ${figure(a.metric, a.projected)}` }));
  }
  if (reached(a.pct)) out.push(h('p', { class: 'g-need up', text: 'Target reached' }));
  else if (Number(a.needed_per_day) > 0) out.push(h('p', { class: 'g-need', text: `${figure(a.metric, a.needed_per_day)} a day to reach it` }));
  return out;
}

function card(a) {
  const title = `${METRICS[a.metric] || a.metric} · ${periodName(a.period)}`;
  return h('li', { class: 'card goal' + (reached(a.pct) ? ' reached' : ''), 'data-key': keyOf(a), 'aria-label': `${title}: ${pctText(a.pct)} of target` },
    h('div', { class: 'g-ring' }, ring(a), h('span', { class: 'g-pct', text: pctText(a.pct) })),
    h('div', { class: 'g-text' }, h('h3', { class: 'g-name', text: title }), ...lines(a)));
}

/** Month targets before quarter ones, then by metric. */
const order = (a, b) => a.period.length - b.period.length || a.period.localeCompare(b.period) || a.metric.localeCompare(b.metric);

export function renderAttainment() {
  const list = [...goals.values()].sort(order);
  $('goals').hidden = list.length === 0;
  $('goal-list').replaceChildren(...list.map(card));
}

/** For the test hook: my targets as the server sent them and as the page says them. */
export function attainmentState() {
  return [...goals.values()].sort(order).map((a) => {
    const li = $('goal-list').querySelector(`[data-key="${CSS.escape(keyOf(a))}"]`);
    return {
      period: a.period, metric: a.metric, value: a.value, target: a.target, pct: a.pct,
      projected: a.projected ?? null, needed_per_day: a.needed_per_day ?? null,
      text: li ? [...li.querySelectorAll('.g-pct, .g-name, .g-text p')].map((n) => n.textContent) : null,
    };
  });
}
