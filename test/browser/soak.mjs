// Soak of the wall display (outside `make test`; `make soak`): the display in headless Chromium
// for a long stretch of simulated sales-floor traffic, watching whether it leaks and whether its
// animations keep up.
//
//   node soak.mjs [--minutes 20] [--rate 8] [--won-share 0.15] [--sample 30] [--out FILE]
//
// A stack of its own (stack.mjs), three live contests, bin/simulator producing events to the
// stack's topic at --rate events/s (a share of them deals won: celebrations), a spot incentive
// launched every 5 minutes, the display at 1920x1080 rotating every 20 s with sound on.
// Every --sample seconds, after a forced garbage collection (CDP HeapProfiler.collectGarbage):
// the JavaScript heap in use and the DOM node and event listener counts (CDP
// Performance.getMetrics), and the elements in the document. All the time: every animation
// frame's interval (requestAnimationFrame), to count the frames dropped, apart for the time a
// celebration is on screen. Beside it, a control page (one small box turning, the same frame
// meter) shows how many frames the machine itself drops at the same moments, and the CPU time
// of the display's renderer process (CDP SystemInfo.getProcessInfo) how much work drawing the
// wall took. Results are printed and written as JSON to --out (default
// .local/soak/display-<time>.json).
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startStack, root } from './stack.mjs';
import { chromium } from 'playwright-core';
import { executablePath, chromiumArgs } from './browser.mjs';

const { values: opt } = parseArgs({
  options: {
    minutes: { type: 'string', default: '20' },
    rate: { type: 'string', default: '8' },
    'won-share': { type: 'string', default: '0.15' },
    sample: { type: 'string', default: '30' },
    out: { type: 'string', default: '' },
    control: { type: 'boolean', default: true },
  },
});
const minutes = Number(opt.minutes);
const sampleMs = Number(opt.sample) * 1000;
const out = opt.out || path.join(root, '.local', 'soak', `display-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);

const log = (...a) => console.log(`[soak ${new Date().toISOString().slice(11, 19)}]`, ...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const mb = (b) => (b / 1048576).toFixed(2);

// Clean-up as a test's t.after would do it, also on Ctrl-C.
const afters = [];
const ctx = { after: (fn) => afters.push(fn) };
let cleaning = null;
const cleanup = () => {
  cleaning ||= (async () => {
    for (const fn of afters.reverse()) {
      try {
        await fn();
      } catch (err) {
        console.error('clean-up:', err.message);
      }
    }
  })();
  return cleaning;
};
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    log(`${sig}: stopping`);
    cleanup().then(() => process.exit(130));
  });
}

/** Runs in the page before its scripts: counts animation frames and their gaps. */
function frameMeter() {
  const f = { frames: 0, gaps: 0, dropped: 0, long: 0, worst: 0, celFrames: 0, celDropped: 0, celLong: 0, celWorst: 0, hist: {} };
  window.__frames = f;
  const interval = 1000 / 60;
  let last = 0;
  const tick = (ts) => {
    if (last) {
      const gap = ts - last;
      const missed = Math.max(0, Math.round(gap / interval) - 1);
      const cel = document.getElementById('celebration');
      const during = !!cel && !cel.hidden;
      f.frames++;
      f.gaps += gap;
      f.dropped += missed;
      if (missed) f.long++;
      f.worst = Math.max(f.worst, gap);
      const bucket = gap < 20 ? '<20' : gap < 34 ? '20-34' : gap < 50 ? '34-50' : gap < 100 ? '50-100' : '>=100';
      f.hist[bucket] = (f.hist[bucket] || 0) + 1;
      if (during) {
        f.celFrames++;
        f.celDropped += missed;
        if (missed) f.celLong++;
        f.celWorst = Math.max(f.celWorst, gap);
      }
    }
    last = ts;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}

async function main() {
  const started = new Date();
  log(`stack up (minutes ${minutes}, rate ${opt.rate}/s, won share ${opt['won-share']})`);
  const stack = await startStack(ctx, { grace: '1m' });
  const now = new Date();
  const day = (d) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + d)).toISOString();
  const contests = [];
  contests.push(await stack.api('POST', '/contests', {
    name: 'Revenue this month', kind: 'leaderboard', metric: 'revenue', scope: 'rep', timezone: 'UTC', period: 'none',
    starts_at: day(-1), ends_at: day(30), prizes: [{ rank: 1, points: 500 }],
  }));
  contests.push(await stack.api('POST', '/contests', {
    name: 'Team deals this week', kind: 'leaderboard', metric: 'deals', scope: 'team', timezone: 'UTC', period: 'week',
    starts_at: day(-1), ends_at: day(60),
  }));
  contests.push(await stack.api('POST', '/contests', {
    name: 'Activity points today', kind: 'leaderboard', metric: 'points', scope: 'rep', timezone: 'UTC', period: 'day',
    weights: { 'deal.won': 10, call: 1, meeting: 5, demo: 8, email: 0.5, revenue_per_point: 1000 },
    starts_at: day(-1), ends_at: day(60),
  }));
  const display = await stack.mintToken('display', { name: 'Soak wall' });

  const sim = spawn(path.join(root, 'bin', 'simulator'), ['-rate', opt.rate, '-won-share', opt['won-share'],
    '-duration', `${minutes * 60 + 30}s`, '-seed', String(Date.now() % 100000)], { env: stack.env, stdio: ['ignore', 'ignore', 'inherit'] });
  ctx.after(() => new Promise((resolve) => {
    if (sim.exitCode !== null) return resolve();
    sim.on('exit', resolve);
    sim.kill('SIGTERM');
  }));

  const browser = await chromium.launch({ executablePath, headless: true, args: chromiumArgs });
  ctx.after(() => browser.close());
  const context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const errors = [];
  let sockets = 0;
  page.on('pageerror', (err) => errors.push(String(err)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('websocket', () => sockets++);
  await page.addInitScript(frameMeter);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const browserCdp = await browser.newBrowserCDPSession();
  const processes = async () => (await browserCdp.send('SystemInfo.getProcessInfo')).processInfo;
  const renderers = async () => (await processes()).filter((p) => p.type === 'renderer').map((p) => ({ id: p.id, cpu: p.cpuTime }));
  // Without a GPU, rasterizing and compositing happen in the GPU process (software): its CPU too.
  const gpuCpu = async () => (await processes()).filter((p) => p.type.toLowerCase() === 'gpu').reduce((n, p) => n + p.cpuTime, 0);

  // The control: the same meter on a page with one small composited animation.
  let control = null;
  if (opt.control) {
    const cctx = await browser.newContext({ viewport: { width: 640, height: 360 } });
    control = await cctx.newPage();
    await control.setContent('<style>@keyframes t{to{transform:rotate(360deg)}}div{width:80px;height:80px;margin:100px;' +
      'background:#ffc93c;animation:t 2s linear infinite}</style><div></div><p id="celebration" hidden></p>');
    await control.evaluate(frameMeter);
  }

  await page.goto(`${stack.base}/display#token=${display.token}&contests=${contests.map((c) => c.id).join(',')}&seconds=20`,
    { waitUntil: 'domcontentloaded' });
  await page.waitForFunction(() => window.bullpenDisplay && window.bullpenDisplay.connected()
    && document.querySelectorAll('#rows .row').length > 0, null, { timeout: 60_000 });

  // Every renderer's CPU time at each sample; the display's is the busiest over the run (the
  // control page's barely works).
  const rendererCpu = async () => Object.fromEntries((await renderers()).map((r) => [r.id, r.cpu]));

  const sample = async () => {
    const cpu = await rendererCpu();
    const gpu = await gpuCpu();
    const ctl = control ? await control.evaluate(() => ({ ...window.__frames, hist: { ...window.__frames.hist } })) : null;
    await cdp.send('HeapProfiler.collectGarbage');
    const { metrics } = await cdp.send('Performance.getMetrics');
    const m = Object.fromEntries(metrics.map((x) => [x.name, x.value]));
    const page_ = await page.evaluate(() => {
      const s = window.bullpenDisplay.state();
      return {
        elements: document.getElementsByTagName('*').length,
        celebrationsShown: s.celebrationsShown, waiting: s.celebrationsWaiting,
        folds: s.celebrations.filter((c) => c.kind === 'fold').length,
        soundsPlayed: s.sound.played, connected: window.bullpenDisplay.connected(),
        frames: { ...window.__frames, hist: { ...window.__frames.hist } },
      };
    });
    return {
      at: new Date().toISOString(), t: Date.now(), cpu, gpu, loadavg1: os.loadavg()[0], control: ctl, heapUsed: m.JSHeapUsedSize, heapTotal: m.JSHeapTotalSize, nodes: m.Nodes,
      listeners: m.JSEventListeners, documents: m.Documents, layouts: m.LayoutCount, ...page_,
    };
  };

  /** The CPU share (of one core) of the busiest renderer between two samples. */
  const busiest = (a, b) => Math.max(0, ...Object.entries(b.cpu).map(([id, v]) => (v - (a.cpu[id] || 0)) / ((b.t - a.t) / 1000)));
  const samples = [];
  const first = await sample();
  samples.push(first);
  log(`start: heap ${mb(first.heapUsed)} MB, DOM nodes ${first.nodes}, elements ${first.elements}, listeners ${first.listeners}`);

  const end = Date.now() + minutes * 60_000;
  let nextIncentive = Date.now() + 60_000;
  let incentives = 0;
  while (Date.now() < end) {
    await sleep(Math.min(sampleMs, Math.max(0, end - Date.now())));
    if (Date.now() >= nextIncentive) {
      nextIncentive += 5 * 60_000;
      incentives++;
      await stack.api('POST', '/incentives', {
        title: `Soak incentive #${incentives}: first 3 to close $8k+`, condition: { type: 'deal.won', min_amount: 8000 },
        reward_points: 100, max_winners: 3, ends_at: new Date(Date.now() + 4 * 60_000).toISOString(),
      }).catch((err) => log('incentive:', err.message));
    }
    const s = await sample();
    samples.push(s);
    const f = s.frames;
    log(`heap ${mb(s.heapUsed)} MB, nodes ${s.nodes}, elements ${s.elements}, listeners ${s.listeners}, ` +
      `celebrations ${s.celebrationsShown} (+${s.waiting} waiting, folds ${s.folds}), frames ${f.frames} dropped ${f.dropped} ` +
      `(in celebrations ${f.celDropped}/${f.celFrames}), ` +
      (s.control ? `control dropped ${s.control.dropped}/${s.control.frames}, ` : '') +
      `renderer CPU ${(busiest(first, s) * 100).toFixed(0)} %, GPU process ${(((s.gpu - first.gpu) / ((s.t - first.t) / 1000)) * 100).toFixed(0)} %, load ${s.loadavg1.toFixed(1)}, ` +
      `sockets ${sockets}, errors ${errors.length}`);
  }

  const last = samples.at(-1);
  // Frames over the measured stretch (from the first sample), worst gaps over the whole run.
  const f = Object.fromEntries(Object.entries(last.frames).map(([k, v]) =>
    [k, typeof v === 'number' && !/worst/i.test(k) ? v - (first.frames[k] || 0) : v]));
  const result = {
    command: `node test/browser/soak.mjs --minutes ${minutes} --rate ${opt.rate} --won-share ${opt['won-share']}`,
    started: started.toISOString(), ended: new Date().toISOString(),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, memGiB: Math.round(os.totalmem() / 2 ** 30), loadavg: os.loadavg() },
    browser: await browser.version(),
    heapUsedMB: { start: +mb(first.heapUsed), end: +mb(last.heapUsed), max: +mb(Math.max(...samples.map((s) => s.heapUsed))) },
    domNodes: { start: first.nodes, end: last.nodes, max: Math.max(...samples.map((s) => s.nodes)) },
    elements: { start: first.elements, end: last.elements },
    listeners: { start: first.listeners, end: last.listeners },
    celebrationsShown: last.celebrationsShown, foldsInLast50: last.folds, soundsPlayed: last.soundsPlayed, incentives,
    frames: {
      total: f.frames, meanIntervalMs: +(f.gaps / Math.max(1, f.frames)).toFixed(2), dropped: f.dropped,
      droppedShare: +(f.dropped / Math.max(1, f.frames + f.dropped)).toFixed(4), longFrames: f.long, worstMs: Math.round(f.worst),
      duringCelebrations: { frames: f.celFrames, dropped: f.celDropped, longFrames: f.celLong, worstMs: Math.round(f.celWorst),
        droppedShare: +(f.celDropped / Math.max(1, f.celFrames + f.celDropped)).toFixed(4) },
      histogramMs: f.hist,
    },
    // The same meter on the control page over the same time: what the machine alone dropped.
    controlFrames: last.control ? {
      total: last.control.frames - first.control.frames, dropped: last.control.dropped - first.control.dropped,
      droppedShare: +((last.control.dropped - first.control.dropped) /
        Math.max(1, last.control.frames - first.control.frames + last.control.dropped - first.control.dropped)).toFixed(4),
      worstMs: Math.round(last.control.worst),
    } : null,
    rendererCpuShare: +busiest(first, last).toFixed(3),
    gpuProcessCpuShare: +((last.gpu - first.gpu) / ((last.t - first.t) / 1000)).toFixed(3),
    loadavg1: { start: first.loadavg1, end: last.loadavg1, mean: +(samples.reduce((n, s) => n + s.loadavg1, 0) / samples.length).toFixed(1) },
    sockets, errors: errors.slice(0, 20), errorCount: errors.length,
    samples,
  };
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, JSON.stringify(result, null, 2));
  log(`results in ${out}`);
  const { samples: _, ...summary } = result;
  console.log(JSON.stringify(summary, null, 2));
}

main().then(cleanup, async (err) => {
  console.error(err);
  await cleanup();
  process.exit(1);
});
