// The console's attainment trend and attainment export in a real browser (Debian's Chromium
// through playwright-core), against a stack of its own (stack.mjs). By hand, after `make build`:
//
//   cd test/browser && npm ci && node --test trend.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { startStack, dealWon, until, ago, root } from './stack.mjs';
import { launch, openPage } from './browser.mjs';

const shots = path.resolve(root, process.env.BULLPEN_SCREENSHOT_DIR || 'docs/screenshots');

const ANA = { rep_id: 'rep-ana', name: 'Ana Ruiz', team_id: 'east' };
const BEN = { rep_id: 'rep-ben', name: 'Ben Okafor', team_id: 'east' };

/** The UTC month `back` months before now: its key and a moment in it that has passed. */
function month(back) {
  const now = new Date();
  const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1));
  const at = back === 0 ? ago(1) : new Date(first.getTime() + 14 * 86_400_000).toISOString();
  return { key: first.toISOString().slice(0, 7), at };
}

/**
 * Ana's revenue, month by month (UTC), worked by hand:
 *
 *   3 months ago   500.00 of 1,000    50.00 %
 *   2 months ago 1,500.00 of 1,000   150.00 %
 *   last month     300.00 of 0       no percent (the line breaks there)
 *   this month     250.00 of 1,000    25.00 %   (Ben: 100.00 of 400, 25.00 %)
 *
 * and a deals target for this quarter, a second series.
 */
async function seed(stack) {
  const [m3, m2, m1, m0] = [month(3), month(2), month(1), month(0)];
  await stack.postEvents([
    dealWon(ANA, 500, { occurred_at: m3.at }),
    dealWon(ANA, 1000, { occurred_at: m2.at }), dealWon(ANA, 500, { occurred_at: m2.at }),
    dealWon(ANA, 300, { occurred_at: m1.at }),
    dealWon(ANA, 250, { occurred_at: m0.at }), dealWon(BEN, 100, { occurred_at: m0.at }),
  ]);
  await until(async () => (await stack.apiRaw('GET', '/reps/rep-ben')).status === 200
    && (await stack.apiRaw('GET', '/reps/rep-ana')).status === 200, 30_000, 'the reps in the directory');
  const now = new Date();
  const quarter = `${now.getUTCFullYear()}-Q${Math.floor(now.getUTCMonth() / 3) + 1}`;
  const row = (period, rep, target, metric = 'revenue') => ({ period, metric, team_id: 'east', rep_id: rep.rep_id, target, timezone: 'UTC' });
  await stack.api('PUT', '/targets', [
    row(m3.key, ANA, 1000), row(m2.key, ANA, 1000), row(m1.key, ANA, 0), row(m0.key, ANA, 1000), row(m0.key, BEN, 400),
    row(quarter, ANA, 10, 'deals'),
  ]);
  const want = [[m0.key, 25], [m1.key, null], [m2.key, 150], [m3.key, 50]];
  return until(async () => {
    const h = await stack.api('GET', '/reps/rep-ana/history');
    const rev = h.targets.filter((t) => t.metric === 'revenue');
    return JSON.stringify(rev.map((t) => [t.period, t.pct])) === JSON.stringify(want) ? { history: h, m0, quarter } : null;
  }, 30_000, 'ana\'s attainment counted');
}

const expected = (e) => /^400 GET .*\/api\/v1\/exports\/attainment\.csv\?/.test(e);

test('attainment trend and export in the console', { timeout: 240_000 }, async (t) => {
  // A long grace: the deals of past months, sent now, still count for their months.
  const stack = await startStack(t, { grace: '2400h' });
  const { base } = stack;
  const { history, m0, quarter } = await seed(stack);
  const manager = await stack.mintToken('manager', { name: 'Morgan Lee' });
  const browser = await launch(t);
  await mkdir(shots, { recursive: true });
  const errors = [];
  const page = await openPage(browser, errors, { width: 1440, height: 900 });

  await page.goto(`${base}/manage`);
  await page.getByLabel('Manager or admin token').fill(manager.token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('Signed in as').waitFor();
  await page.getByRole('navigation', { name: 'Console sections' }).getByRole('link', { name: /Points/ }).click();

  await t.test('a rep\'s chart draws the API\'s percents, with the 100 % line', async () => {
    await page.getByLabel('Name or rep id').fill('Ana');
    await page.getByRole('button', { name: /Ana Ruiz/ }).click();
    const chart = page.getByRole('img', { name: 'Attainment trend' });
    await chart.waitFor({ timeout: 10_000 });
    // Revenue has the most periods: drawn first, oldest on the left; last month has no percent.
    const revenue = history.targets.filter((x) => x.metric === 'revenue' && x.pct !== null).reverse();
    const drawn = await chart.evaluate((svg) => ({
      max: Number(svg.dataset.max), top: Number(svg.dataset.top), bottom: Number(svg.dataset.bottom),
      goal: Number(svg.querySelector('.trend-goal').getAttribute('y1')),
      lines: svg.querySelectorAll('polyline').length,
      points: [...svg.querySelectorAll('circle.trend-point')].map((c) => ({
        period: c.dataset.period, pct: Number(c.dataset.pct), cx: Number(c.getAttribute('cx')), cy: Number(c.getAttribute('cy')),
      })),
    }));
    assert.deepEqual(drawn.points.map((p) => [p.period, p.pct]), revenue.map((x) => [x.period, x.pct]));
    assert.deepEqual(drawn.points.map((p) => p.pct), [50, 150, 25]);
    assert.equal(drawn.max, 150);
    const y = (pct) => drawn.bottom - (pct / drawn.max) * (drawn.bottom - drawn.top);
    for (const p of drawn.points) assert.ok(Math.abs(p.cy - y(p.pct)) < 0.01, `${p.period} drawn at ${p.cy}, not ${y(p.pct)}`);
    assert.ok(Math.abs(drawn.goal - y(100)) < 0.01, `the 100 % line at ${drawn.goal}, not ${y(100)}`);
    assert.ok(drawn.points[0].cx < drawn.points[1].cx && drawn.points[1].cx < drawn.points[2].cx, 'oldest first');
    assert.equal(drawn.lines, 2, 'the line breaks at the period without a percent');
    // The same figures as a table for screen readers, the period without a percent included.
    const rows = await page.locator('#trend-table tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
    assert.deepEqual(rows.map((r) => r[1]), ['50%', '150%', 'no target', '25%']);
    // Periods by name, as every page says them ("July 2026"), not as keys.
    const monthName = (key) => new Intl.DateTimeFormat(undefined, { month: 'long', year: 'numeric', timeZone: 'UTC' })
      .format(new Date(`${key}-01T00:00:00Z`));
    assert.deepEqual(rows.map((r) => r[0]), history.targets.filter((x) => x.metric === 'revenue').reverse().map((x) => monthName(x.period)));
    await page.waitForFunction(() => document.querySelectorAll('.toast').length === 0, null, { timeout: 15_000 });
    await page.locator('#rep-panel').screenshot({ path: path.join(shots, 'manage-trend.png') });

    // The other series: this quarter's deals.
    await page.locator('#rep-panel').getByLabel('Target', { exact: true }).selectOption({ label: 'Deals · quarterly' });
    const q = history.targets.find((x) => x.metric === 'deals');
    const points = await page.locator('circle.trend-point').evaluateAll((cs) => cs.map((c) => [c.dataset.period, Number(c.dataset.pct)]));
    assert.deepEqual(points, [[quarter, q.pct]]);
  });

  await t.test('the attainment export downloads a period\'s targets, a bad period named at its field', async () => {
    const form = page.getByRole('form', { name: 'Exports' });
    const period = form.getByLabel('Target period');
    assert.equal(await period.inputValue(), m0.key, 'this month by default');
    await period.fill('someday');
    await form.getByRole('button', { name: 'Download attainment' }).click();
    await page.waitForFunction(() => document.getElementById('x-period').getAttribute('aria-invalid') === 'true');
    await period.fill(m0.key);
    await form.getByLabel('Only team').fill('east');
    const [file] = await Promise.all([
      page.waitForEvent('download'),
      form.getByRole('button', { name: 'Download attainment' }).click(),
    ]);
    assert.equal(file.suggestedFilename(), `attainment_${m0.key}_east.csv`);
    const lines = (await readFile(await file.path(), 'utf8')).split('\r\n');
    assert.equal(lines[0], 'period,period_start,period_end,timezone,metric,team_id,scope,rep_id,rep_name,target,target_derived,value,pct,currency');
    assert.match(lines[1], new RegExp(`^${m0.key},.*,UTC,revenue,east,team,,,1400\\.00,true,350\\.00,25\\.00,USD$`));
    assert.match(lines[2], new RegExp(`^${m0.key},.*,UTC,revenue,east,rep,rep-ana,Ana Ruiz,1000\\.00,false,250\\.00,25\\.00,USD$`));
    assert.match(lines[3], new RegExp(`^${m0.key},.*,UTC,revenue,east,rep,rep-ben,Ben Okafor,400\\.00,false,100\\.00,25\\.00,USD$`));
    assert.equal(lines.at(-1), '');
  });

  assert.deepEqual(errors.filter((e) => !expected(e)), []);
});
