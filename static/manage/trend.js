// A rep's attainment trend (GET /reps/{id}/history): its attainment % per period over the last
// 12 periods of one target series (a metric with monthly or with quarterly targets), drawn as a
// small SVG by the page itself, with the 100 % line. A table of the same figures is there for
// screen readers.
import { $, h } from '../shared/page.js';
import { pctText, periodName } from '../shared/targets.js';
import { scoreText } from './format.js';
import { api } from './state.js';

const SVG = 'http://www.w3.org/2000/svg';
// The drawing's box: the plot runs from PLOT.left to PLOT.right and from PLOT.top (the highest
// percent shown) down to PLOT.bottom (0 %). Below it the periods' names, slanted so that twelve
// of them ("September 2026") fit side by side.
const W = 560;
const H = 240;
const PLOT = { left: 44, right: W - 12, top: 14, bottom: H - 80 };
const METRICS = { revenue: 'Revenue', deals: 'Deals', units: 'Units', points: 'Points' };

let shownRep = null;
let series = new Map(); // "metric/kind" -> the series' periods, oldest first
let chosen = '';

function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  node.append(...children);
  return node;
}

// Percents and period names as the console's targets list says them (shared/targets.js).
const pct = (p) => pctText(p, 2);
const seriesName = (key) => {
  const [metric, kind] = key.split('/');
  return `${METRICS[metric] || metric} · ${kind === 'quarter' ? 'quarterly' : 'monthly'}`;
};

/** The series of a history's targets, each oldest period first (one line per period). */
function group(targets) {
  const out = new Map();
  for (const t of targets) {
    const key = `${t.metric}/${t.kind}`;
    if (!out.has(key)) out.set(key, []);
    const list = out.get(key);
    if (!list.some((x) => x.period === t.period)) list.push(t);
  }
  for (const list of out.values()) list.reverse();
  return out;
}

/** The highest percent the chart shows: 120 %, or more in steps of 50 to hold every point. */
function ceiling(points) {
  const top = Math.max(0, ...points.filter((p) => p.pct !== null).map((p) => p.pct));
  return top <= 120 ? 120 : Math.ceil(top / 50) * 50;
}

function draw(points) {
  const max = ceiling(points);
  const y = (pct) => PLOT.bottom - (Math.max(0, pct) / max) * (PLOT.bottom - PLOT.top);
  // The first point leaves room on its left for its slanted name.
  const step = points.length > 1 ? (PLOT.right - PLOT.left - 40) / (points.length - 1) : 0;
  const x = (i) => PLOT.left + 28 + i * step;
  const grid = [0, 100, max].map((p) => svg('g', {},
    svg('line', { class: p === 100 ? 'trend-goal' : 'trend-grid', x1: PLOT.left, x2: PLOT.right, y1: y(p), y2: y(p),
      stroke: p === 100 ? '#1a7f37' : '#d0d7de', 'stroke-width': p === 100 ? 1.5 : 1, 'stroke-dasharray': p === 100 ? '6 4' : 'none' }),
    svg('text', { x: PLOT.left - 6, y: y(p) + 4, 'text-anchor': 'end', 'font-size': 11, fill: '#57606a' }, `${p}%`)));
  // The line breaks where a period has no percent (a target of 0).
  const runs = [];
  let run = [];
  points.forEach((p, i) => {
    if (p.pct === null) {
      if (run.length) runs.push(run);
      run = [];
    } else run.push(`${x(i)},${y(p.pct)}`);
  });
  if (run.length) runs.push(run);
  const lines = runs.map((r) => svg('polyline', { points: r.join(' '), fill: 'none', stroke: '#1f5fd1', 'stroke-width': 2 }));
  const dots = points.flatMap((p, i) => (p.pct === null ? [] : [svg('circle', {
    class: 'trend-point', cx: x(i), cy: y(p.pct), r: 4, fill: p.current ? '#fff' : '#1f5fd1', stroke: '#1f5fd1', 'stroke-width': 2,
    'data-period': p.period, 'data-pct': p.pct,
  }, svg('title', {}, `${periodName(p.period)}: ${pct(p.pct)} (${scoreText(p.metric, p.value)} of ${scoreText(p.metric, p.target)})${p.current ? ', so far' : ''}`))]));
  const labels = points.map((p, i) => svg('text', {
    x: x(i), y: PLOT.bottom + 14, 'text-anchor': 'end', transform: `rotate(-45 ${x(i)} ${PLOT.bottom + 14})`, 'font-size': 11, fill: '#57606a',
  }, periodName(p.period)));
  return svg('svg', {
    id: 'trend-svg', viewBox: `0 0 ${W} ${H}`, width: '100%', role: 'img', 'aria-labelledby': 'trend-h',
    'data-max': max, 'data-top': PLOT.top, 'data-bottom': PLOT.bottom,
  }, ...grid, ...lines, ...dots, ...labels);
}

function table(points) {
  return h('table', { class: 'sr-only', id: 'trend-table' },
    h('caption', { text: `Attainment, ${seriesName(chosen)}` }),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: 'Period' }), h('th', { scope: 'col', text: 'Attainment' }),
      h('th', { scope: 'col', text: 'Value' }), h('th', { scope: 'col', text: 'Target' }))),
    h('tbody', {}, ...points.map((p) => h('tr', {},
      h('th', { scope: 'row', text: periodName(p.period) }), h('td', { text: p.pct === null ? 'no target' : pct(p.pct) }),
      h('td', { text: scoreText(p.metric, p.value) }), h('td', { text: scoreText(p.metric, p.target) })))));
}

function render() {
  const points = series.get(chosen) || [];
  $('trend-empty').textContent = 'No targets for this rep yet.';
  $('trend-empty').hidden = series.size > 0;
  $('trend-pick').hidden = series.size < 2;
  $('trend-series').replaceChildren(...[...series.keys()].map((k) => h('option', { value: k, selected: k === chosen, text: seriesName(k) })));
  $('trend-chart').replaceChildren(...(points.length ? [draw(points), table(points)] : []));
  $('trend-note').hidden = !points.some((p) => p.current && p.pct !== null);
}

/** Reads and draws rep repId's attainment trend. */
export async function showTrend(repId) {
  shownRep = repId;
  series = new Map();
  chosen = '';
  render();
  try {
    const body = await api('GET', `/reps/${encodeURIComponent(repId)}/history?periods=12`);
    if (shownRep !== repId) return;
    series = group(body.targets || []);
    // The series with the most periods to draw first (the API's order on a tie).
    chosen = [...series.keys()].reduce((best, k) => (!best || series.get(k).length > series.get(best).length ? k : best), '');
    render();
  } catch (err) {
    if (shownRep === repId) $('trend-empty').textContent = `The attainment trend could not be read: ${err.message}`;
  }
}

export function wireTrend() {
  $('trend-series').addEventListener('change', (ev) => {
    chosen = ev.currentTarget.value;
    render();
  });
}
