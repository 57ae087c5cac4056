// The console's Audit screen in a real browser (Debian's Chromium through playwright-core),
// against a stack of its own (stack.mjs): a contest changed by a manager shows the changed
// fields old → new, the filters narrow the list, "More" pages on, text from people stays text,
// and a bad filter is named at its field. By hand, after `make build`:
//
//   cd test/browser && npm ci && node --test audit.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { startStack, dealWon, until as waitFor, root } from './stack.mjs';
import { launch, openPage } from './browser.mjs';

const shots = path.resolve(root, process.env.BULLPEN_SCREENSHOT_DIR || 'docs/screenshots');
const HOSTILE = '<img src=x onerror="window.__owned=1">';

/** Errors the page made on purpose: the API's answer to the inverted range. */
const expected = (e) => /^400 GET .*\/api\/v1\/audit\?/.test(e);

const state = (page) => page.evaluate(() => window.bullpenManage.state());

test('audit screen', { timeout: 240_000 }, async (t) => {
  const stack = await startStack(t);
  const { base } = stack;
  const manager = await stack.mintToken('manager', { name: 'Morgan Lee' });
  // A rep whose name is markup, and enough posts by the admin for a second page, older than
  // the manager's changes below.
  const rep = { rep_id: 'rep-x', name: HOSTILE, team_id: 'east' };
  for (let i = 0; i < 51; i++) await stack.postEvents([dealWon(rep, 1 + i)]);
  await waitFor(async () => (await stack.apiRaw('GET', '/reps/rep-x')).status === 200, 30_000, 'the rep in the directory');
  const starts = new Date(Date.now() + 7 * 86400_000);
  const contest = await stack.api('POST', '/contests', {
    name: 'Spring sprint', metric: 'revenue', timezone: 'UTC',
    starts_at: starts.toISOString(), ends_at: new Date(starts.getTime() + 30 * 86400_000).toISOString(),
    prizes: [{ rank: 1, points: 500 }],
  }, manager.token);
  await stack.api('PATCH', `/contests/${contest.id}`, { name: 'Summer sprint', prizes: [{ rank: 1, points: 300 }] }, manager.token);
  await stack.api('POST', '/reps/rep-x/adjustments', { points: 5, note: HOSTILE }, manager.token);

  const browser = await launch(t);
  await mkdir(shots, { recursive: true });
  const errors = [];
  const page = await openPage(browser, errors, { width: 1440, height: 900 });
  const rows = page.locator('#audit-rows tr');
  const updateRow = rows.filter({ hasText: 'Changed contest' });

  await t.test('the patched contest shows its changed fields, old → new', async () => {
    await page.goto(`${base}/manage#token=${manager.token}&section=audit`);
    await page.getByRole('heading', { name: 'Audit', level: 1 }).waitFor();
    await updateRow.waitFor({ timeout: 15_000 });
    const name = updateRow.locator('li').filter({ hasText: /^name/ });
    assert.equal(await name.locator('.old').textContent(), 'Spring sprint');
    assert.equal(await name.locator('.new').textContent(), 'Summer sprint');
    const prizes = updateRow.locator('li').filter({ hasText: /^prizes/ });
    assert.equal(await prizes.locator('.old').textContent(), '[{"rank":1,"points":500}]');
    assert.equal(await prizes.locator('.new').textContent(), '[{"rank":1,"points":300}]');
    assert.equal(await updateRow.locator('li').count(), 2, 'only the changed fields');
    assert.match(await updateRow.textContent(), /Morgan Lee \(you\)/);
    assert.match(await updateRow.textContent(), new RegExp(`contest:${contest.id}`));
  });

  await t.test('"More" reads the next page after the cursor', async () => {
    const first = await state(page);
    assert.equal(first.audit.length, 50);
    assert.equal(first.auditMore, true);
    await page.getByRole('button', { name: 'More' }).click();
    await page.waitForFunction(() => window.bullpenManage.state().audit.length > 50);
    const all = (await state(page)).audit;
    // The adjustment, the patch, the creation, 51 posts and the manager's minting.
    assert.equal(all.length, 55);
    assert.equal(new Set(all.map((a) => a.id)).size, all.length, 'no change twice');
    assert.deepEqual(all.map((a) => a.id), [...all.map((a) => a.id)].sort((a, b) => b - a), 'newest first');
    assert.equal(await page.getByRole('button', { name: 'More' }).isVisible(), false);
  });

  await t.test('text from people is shown as text', async () => {
    const adj = rows.filter({ hasText: 'Adjusted points' });
    await adj.locator('summary').click();
    assert.equal(await adj.locator('li').filter({ hasText: /^note/ }).locator('.new').textContent(), HOSTILE);
    assert.equal(await page.locator('#audit-rows img').count(), 0);
    assert.equal(await page.evaluate(() => window.__owned), undefined);
  });

  await t.test('a filter narrows the list', async () => {
    const form = page.getByRole('form', { name: 'Filter the changes' });
    await form.getByLabel('Changed').fill(`contest:${contest.id}`);
    await form.getByRole('button', { name: 'Show changes' }).click();
    await page.waitForFunction(() => window.bullpenManage.state().audit.length === 2);
    assert.deepEqual((await state(page)).audit.map((a) => a.action), ['contest.update', 'contest.create']);
    await page.screenshot({ path: path.join(shots, 'manage-audit.png') });

    await form.getByLabel('Changed').fill('');
    await form.getByLabel('Made by').fill('admin');
    await form.getByRole('button', { name: 'Show changes' }).click();
    await page.waitForFunction(() => {
      const s = window.bullpenManage.state();
      return s.audit.length === 50 && s.audit.every((a) => a.actor === 'admin');
    });
  });

  await t.test('an inverted range is named at its field', async () => {
    const form = page.getByRole('form', { name: 'Filter the changes' });
    await form.getByLabel('Made by').fill('');
    await form.getByLabel('From').fill('2026-03-02T00:00');
    await form.getByLabel('Until').fill('2026-03-01T00:00');
    await form.getByRole('button', { name: 'Show changes' }).click();
    const until = form.getByLabel('Until');
    await page.waitForFunction(() => document.querySelector('#au-until[aria-invalid="true"]'));
    const described = await until.evaluate((el) => (el.getAttribute('aria-describedby') || '')
      .split(/\s+/).map((id) => document.getElementById(id)?.textContent || '').join(' '));
    assert.match(described, /until must come after since/i);
  });

  assert.deepEqual(errors.filter((e) => !expected(e)), []);
});
