// Screens in a real browser (Debian's Chromium through playwright-core), against a stack of its
// own (stack.mjs): a wall display bound to a screen shows the screen's slides; a manager edits the
// screen in the console, in another page, and the running display changes without a reload; a
// new display opened with no token shows a code, the manager types it into the console, and the
// display starts showing the screen. `make test-browser` runs it; by hand, after `make build`:
//
//   cd test/browser && npm ci && node --test screens.test.mjs
//
// BULLPEN_CHROMIUM names the browser (default /usr/bin/chromium), BULLPEN_SCREENSHOT_DIR where
// the screenshots go (default docs/screenshots).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { startStack, dealWon, until as waitFor, root } from './stack.mjs';
import { launch, openPage } from './browser.mjs';

const shots = path.resolve(root, process.env.BULLPEN_SCREENSHOT_DIR || 'docs/screenshots');

const ANA = { rep_id: 'rep-ana', name: 'Ana Ruiz', team_id: 'east' };
const DEV = { rep_id: 'rep-dev', name: 'Dev Patel', team_id: 'west' };

/** Waits until pred(state of the display, arg) holds; returns that state. pred runs in the page. */
async function waitForWall(page, pred, arg, timeout = 20_000) {
  // pred is compiled into the polled function here, in Node: the page's policy refuses eval.
  const poll = new Function('a', `const s = window.bullpenDisplay && window.bullpenDisplay.state(); return s && (${pred.toString()})(s, a);`);
  await page.waitForFunction(poll, arg, { timeout, polling: 100 });
  return page.evaluate(() => window.bullpenDisplay.state());
}

test('screens', { timeout: 280_000 }, async (t) => {
  const stack = await startStack(t);
  const { base } = stack;
  const contest = (name) => stack.api('POST', '/contests', {
    name, kind: 'leaderboard', metric: 'revenue', scope: 'rep', timezone: 'UTC', period: 'none',
    starts_at: new Date(Date.now() - 3_600_000).toISOString(), ends_at: new Date(Date.now() + 7 * 86_400_000).toISOString(),
  });
  const sprint = await contest('Revenue sprint');
  const quarter = await contest('Quarter race');
  await stack.postEvents([dealWon(ANA, 4000), dealWon(DEV, 2500)]);
  await waitFor(async () => (await stack.api('GET', '/reps?limit=10')).items.length === 2, 30_000, 'the reps in the directory');
  const manager = await stack.mintToken('manager', { name: 'Morgan Lee' });
  const lobby = await stack.api('POST', '/screens', { name: 'Lobby', slides: [{ kind: 'contest', id: sprint.id }], seconds: 8 });
  const tv = await stack.mintToken('display', { name: 'Lobby TV', screen_id: lobby.id });

  const browser = await launch(t);
  await mkdir(shots, { recursive: true });
  const errors = [];

  const wall = await openPage(browser, errors);
  await wall.goto(`${base}/display#token=${encodeURIComponent(tv.token)}`);

  await t.test('a display bound to a screen shows its slides, with nothing in its link', async () => {
    const st = await waitForWall(wall, (s, id) => s.screen && s.screen.id === id && s.playlist.length === 1, lobby.id);
    assert.deepEqual(st.playlist, [sprint.id]);
    assert.equal(st.rotateMs, 8000);
    assert.equal(st.screen.name, 'Lobby');
    await waitForWall(wall, (s, id) => s.contests[id] && s.contests[id].standings && s.contests[id].standings.entries.length === 2, sprint.id);
    assert.equal(await wall.locator('#contest-name').textContent(), 'Revenue sprint');
  });

  const page = await openPage(browser, errors, { width: 1440, height: 1000 });
  await page.goto(`${base}/manage#token=${encodeURIComponent(manager.token)}`);
  await page.waitForFunction(() => window.bullpenManage && window.bullpenManage.state().signedIn, null, { timeout: 15_000 });
  const nav = page.getByRole('navigation', { name: 'Console sections' });

  await t.test('the console edits the screen and the running display follows, without a reload', async () => {
    await wall.evaluate(() => { window.__sameDocument = true; });
    await nav.getByRole('link', { name: /Screens/ }).click();
    const item = page.locator(`[data-screen="${lobby.id}"]`);
    await item.waitFor({ timeout: 10_000 });
    await item.getByRole('button', { name: 'Edit Lobby' }).click();
    const form = page.getByRole('form', { name: /Edit "Lobby"/ });
    await form.getByLabel('Name').fill('Lobby east');
    await form.getByLabel('Slide to add').selectOption('contest');
    await form.getByRole('button', { name: 'Add slide' }).click();
    await form.getByLabel('Slide 2: contest').selectOption(quarter.id);
    await form.getByLabel('Slide to add').selectOption('incentives');
    await form.getByRole('button', { name: 'Add slide' }).click();
    await form.getByLabel('Slide to add').selectOption('floor');
    await form.getByRole('button', { name: 'Add slide' }).click();
    await form.getByLabel('Seconds per slide').fill('20');
    await form.getByLabel('Celebrate teams').fill('east');
    await form.getByLabel(/Hide money/).check();
    await form.getByRole('button', { name: 'Save screen' }).click();
    await page.waitForFunction((id) => window.bullpenManage.state().screens.some((s) => s.id === id && s.version === 2), lobby.id, { timeout: 10_000 });

    const st = await waitForWall(wall, (s) => s.screen && s.screen.version === 2, null);
    assert.deepEqual(st.playlist, [sprint.id, quarter.id, 'incentives', 'floor']);
    assert.equal(st.rotateMs, 20_000);
    assert.equal(st.amountsHidden, true);
    assert.deepEqual(st.screen.celebrateTeams, ['east']);
    assert.equal(st.screen.name, 'Lobby east');
    assert.ok(await wall.evaluate(() => window.__sameDocument), 'the display changed in place, not by reloading');
    assert.ok(Object.keys(st.seq).includes(`contest:${quarter.id}`), 'it watches the new contest');

    // The floor slide: the arrows walk the playlist.
    await wall.keyboard.press('ArrowRight');
    await wall.keyboard.press('ArrowRight');
    await wall.keyboard.press('ArrowRight');
    await waitForWall(wall, (s) => s.slideKind === 'floor', null);
    assert.equal(await wall.locator('#contest-name').textContent(), 'On the floor');
    assert.ok(await wall.locator('#feed').isVisible());
    const rows = await wall.locator('#feed-rows .nm').allTextContents();
    assert.deepEqual(rows.sort(), ['Ana Ruiz', 'Dev Patel'], 'the floor feed lists the deals');
    assert.ok(!(await wall.locator('#feed-rows').textContent()).includes('$'), 'no money on a screen that hides it');

    // The API says the same, and the trail names the manager.
    const api = await stack.api('GET', `/screens/${lobby.id}`);
    assert.equal(api.updated_by, manager.id);
    await page.waitForFunction(() => !document.querySelector('.toast'), null, { timeout: 15_000 });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join(shots, 'manage-screens.png') });
  });

  await t.test('a display with no token shows a code; typed into the console, the display shows the screen', async () => {
    const fresh = await openPage(browser, errors);
    await fresh.goto(`${base}/display`);
    const st = await waitForWall(fresh, (s) => !!s.pairingCode, null);
    const code = st.pairingCode;
    assert.match(code, /^[34679ACDEFGHJKMNPQRTWXY]{6}$/);
    assert.equal(await fresh.locator('#pair-code').textContent(), `${code.slice(0, 3)} ${code.slice(3)}`);
    await fresh.screenshot({ path: path.join(shots, 'display-pairing.png') });

    const form = page.getByRole('form', { name: 'Pair a display' });
    await form.getByLabel('Code on the display').fill(code.toLowerCase());
    await form.getByLabel('Screen').selectOption(lobby.id);
    await form.getByLabel('Display name').fill('Break room TV');
    await form.getByRole('button', { name: 'Pair display' }).click();
    await page.locator('#pair-done').waitFor({ state: 'visible', timeout: 10_000 });
    assert.match(await page.locator('#pair-done').textContent(), /^Paired: "Break room TV" shows "Lobby east"/);

    // The display reloads itself with its new token and shows the screen.
    const paired = await waitForWall(fresh, (s, id) => s.screen && s.screen.id === id && s.playlist.length === 4, lobby.id, 30_000);
    assert.equal(paired.pairingCode, null);
    const tokens = (await stack.api('GET', '/tokens')).items;
    const made = tokens.find((x) => x.name === 'Break room TV');
    assert.ok(made && made.role === 'display' && made.screen_id === lobby.id && made.created_by === manager.id, JSON.stringify(made));
  });

  assert.deepEqual(errors, []);
});
