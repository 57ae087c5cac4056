// Tokens' life cycle in the manager console, in a real browser (Debian's Chromium through
// playwright-core) against a stack of its own (stack.mjs): minting with an expiry, the list's
// expiries, a token seen expiring, and rotating a wall display's token with an overlap (both
// secrets work, the new link opens a working display) and without one (the old secret is refused,
// its screen signed out). By hand, after `make build`:
//
//   cd test/browser && npm ci && node --test tokens.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { startStack, until as waitFor, root } from './stack.mjs';
import { launch, openPage } from './browser.mjs';

const shots = path.resolve(root, process.env.BULLPEN_SCREENSHOT_DIR || 'docs/screenshots');
const DAY = 86400_000;
// Not the machine's zone, so that a date typed in the form is seen read in the browser's own.
const ZONE = 'Pacific/Auckland';

/** Errors the page made on purpose: the API's answers to a date past and to rotating a token that expired. */
const expected = (e) => /^400 POST .*\/api\/v1\/tokens$/.test(e) || /^409 POST .*\/api\/v1\/tokens\/tok_[0-9a-f]+\/rotate$/.test(e);

const state = (page) => page.evaluate(() => window.bullpenManage.state());
const row = (s, id) => s.tokens.find((t) => t.id === id);

/** The text that describes a control to assistive technology (its aria-describedby). */
const description = (locator) => locator.evaluate((el) => (el.getAttribute('aria-describedby') || '')
  .split(/\s+/).filter(Boolean).map((id) => document.getElementById(id)?.textContent || '').join(' '));

/** A datetime-local value (with seconds) for the instant ms, in the page's time zone. */
const wallIn = (page, ms) => page.evaluate((t) => {
  const d = new Date(t);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}, ms);

test('tokens\' life cycle in the console', { timeout: 240_000 }, async (t) => {
  const stack = await startStack(t);
  const { base } = stack;
  const start = new Date();
  const contest = await stack.api('POST', '/contests', {
    name: 'Revenue sprint', metric: 'revenue', timezone: 'UTC',
    starts_at: new Date(start.getTime() - DAY).toISOString(), ends_at: new Date(start.getTime() + 30 * DAY).toISOString(),
  });
  const manager = await stack.mintToken('manager', { name: 'Morgan Lee' });
  const status = async (secret) => (await stack.apiRaw('GET', '/me', undefined, secret)).status;
  const tokenById = async (id) => (await stack.api('GET', '/tokens?limit=500')).items.find((x) => x.id === id);

  const browser = await launch(t);
  await mkdir(shots, { recursive: true });
  const errors = [];
  const page = await openPage(browser, errors, { width: 1440, height: 900 }, { timezoneId: ZONE });
  await page.goto(`${base}/manage#token=${manager.token}&section=tokens`);
  await page.getByRole('heading', { name: 'Tokens', level: 1 }).waitFor();
  await page.waitForFunction(() => window.bullpenManage.state().tokens.length > 0, null, { timeout: 10_000 });
  const form = page.getByRole('form', { name: 'Mint a token' });
  const secretBox = page.locator('#minted');

  /** Mints through the form; the new token from the API. */
  async function mint(name, choose) {
    await form.getByRole('radio', { name: 'Wall display' }).check();
    await form.getByLabel('Name').fill(name);
    await choose();
    await form.getByRole('button', { name: 'Mint token' }).click();
    await page.getByRole('region', { name: `New display token: ${name}` }).waitFor();
    const m = (await state(page)).minted;
    const secret = await secretBox.getByLabel('Secret').inputValue();
    await page.waitForFunction((id) => window.bullpenManage.state().tokens.some((x) => x.id === id), m.id);
    return { ...(await tokenById(m.id)), secret };
  }

  let visitor;
  await t.test('mint with a quick choice of expiry; a date past is refused at its field; a date is read in the browser\'s zone', async () => {
    const before = Date.now();
    visitor = await mint('Visitor screen', () => form.getByRole('radio', { name: 'In 30 days' }).check());
    const after = Date.now();
    const exp = Date.parse(visitor.expires_at);
    assert.ok(exp >= before + 30 * DAY - 2000 && exp <= after + 30 * DAY + 2000, visitor.expires_at);
    const listed = row(await state(page), visitor.id);
    assert.equal(listed.state, 'live');
    assert.match(listed.expires, /^Expires in 30 days/);
    assert.equal(listed.rotatable, true);
    assert.equal(await form.getByRole('radio', { name: 'Never' }).isChecked(), true, 'the form is back to never');

    const count = (await stack.api('GET', '/tokens?limit=500')).items.length;
    await form.getByLabel('Name').fill('Trade fair screen');
    await form.getByRole('radio', { name: 'On a date' }).check();
    const at = form.getByLabel('Expires at');
    await at.fill('2020-01-01T09:00:00');
    await form.getByRole('button', { name: 'Mint token' }).click();
    await page.waitForFunction(() => document.getElementById('t-expires-at').getAttribute('aria-invalid') === 'true');
    assert.match(await description(at), /expires_at must be in the future/i);
    assert.match(await page.locator('#token-msg').textContent(), /No token was minted/);
    assert.equal((await stack.api('GET', '/tokens?limit=500')).items.length, count, 'nothing minted');

    // Two days from now to the second, typed as the browser's wall clock in Auckland.
    const when = Math.floor((Date.now() + 2 * DAY) / 1000) * 1000;
    await at.fill(await wallIn(page, when));
    const dated = await mint('Trade fair screen', async () => {});
    assert.equal(Date.parse(dated.expires_at), when, dated.expires_at);
    assert.match(row(await state(page), dated.id).expires, /^Expires in 2 days/);
    assert.equal(await at.getAttribute('aria-invalid'), null, 'the error is cleared');
    // Never: no expiry sent.
    const forever = await mint('Hall screen', async () => {});
    assert.equal(forever.expires_at, null);
    assert.match(row(await state(page), forever.id).expires, /^Never/);
  });

  await t.test('a token minted a few seconds from its end shows expired once it passes, and is not rotated', async () => {
    await form.getByRole('radio', { name: 'On a date' }).check();
    await form.getByLabel('Expires at').fill(await wallIn(page, Date.now() + 6000));
    const brief = await mint('Brief screen', async () => {});
    assert.equal(await status(brief.secret), 200);
    const listed = row(await state(page), brief.id);
    assert.equal(listed.state, 'live');
    assert.match(listed.expires, /^Expires in (\d+ seconds|a moment)/);

    // The Rotate dialog opened just before the end, confirmed just after: the server's 409 shown in it.
    await page.getByRole('button', { name: 'Rotate Brief screen' }).click();
    const dialog = page.getByRole('dialog', { name: 'Rotate "Brief screen"' });
    await dialog.waitFor();
    await waitFor(async () => (await status(brief.secret)) === 401, 20_000, 'the brief token refused');
    await dialog.getByRole('button', { name: 'Rotate' }).click();
    await page.waitForFunction(() => !document.getElementById('rotate-msg').hidden);
    assert.match(await dialog.locator('#rotate-msg').textContent(), /Not rotated: .*expired/i);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    assert.equal(await dialog.isVisible(), false);

    await page.waitForFunction((id) => window.bullpenManage.state().tokens.find((x) => x.id === id).state === 'expired', brief.id, { timeout: 10_000 });
    const s = await state(page);
    const gone = row(s, brief.id);
    assert.match(gone.expires, /^◷ Expired/);
    assert.equal(gone.rotatable, false);
    const order = s.tokens.map((x) => x.state);
    assert.deepEqual(order, [...order].sort((a, b) => ['live', 'expired'].indexOf(a) - ['live', 'expired'].indexOf(b)), 'expired after live');
    assert.equal(order.at(-1), 'expired');
    assert.equal(await page.locator(`#token-rows tr[data-token="${brief.id}"]`).getAttribute('class'), 'expired');
    await secretBox.getByRole('button', { name: /Done/ }).click();
  });

  let lobby;
  let tv;
  const tvErrors = [];
  let rotated;
  await t.test('rotate a display with an overlap: both secrets work, and the new link opens a working display', async () => {
    lobby = await stack.mintToken('display', { name: 'Lobby TV' });
    tv = await openPage(browser, tvErrors, { width: 1280, height: 720 });
    await tv.goto(`${base}/display#token=${encodeURIComponent(lobby.token)}&contests=${contest.id}`);
    await tv.waitForFunction(() => window.bullpenDisplay && window.bullpenDisplay.connected(), null, { timeout: 20_000 });
    // The new link is to show what the screen shows now: its presence names its contest.
    await waitFor(async () => (await stack.api('GET', '/displays')).items
      .some((d) => d.token_id === lobby.id && d.channels.includes(`contest:${contest.id}`)), 20_000, 'the display\'s presence');

    await page.evaluate(() => window.bullpenManage.refresh());
    await page.getByRole('button', { name: 'Rotate Lobby TV' }).click();
    const dialog = page.getByRole('dialog', { name: 'Rotate "Lobby TV"' });
    assert.equal(await dialog.getByRole('radio', { name: '24 hours' }).isChecked(), true, '24 hours by default');
    await dialog.getByRole('radio', { name: '1 hour' }).check();
    await dialog.getByRole('button', { name: 'Rotate' }).click();
    const box = page.getByRole('region', { name: 'New secret for display token: Lobby TV' });
    await box.waitFor();
    const secret = await box.getByLabel('Secret').inputValue();
    assert.match(secret, /^bp_/);
    assert.notEqual(secret, lobby.token);
    assert.match(await box.textContent(), /only time the new secret is shown/);
    assert.match(await box.locator('#minted-overlap').textContent(), /old secret works until .*\(in (1 hour|60 minutes|59 minutes)\)/i);
    const link = await box.getByRole('textbox', { name: 'Pairing link' }).inputValue();
    assert.equal(link, `${base}/display#token=${encodeURIComponent(secret)}&contests=${contest.id}`);
    rotated = { secret, link };

    const api = await tokenById(lobby.id);
    assert.equal(Date.parse(api.previous_secret_until) - Date.parse(api.rotated_at), 3600_000);
    assert.equal(await status(lobby.token), 200, 'the old secret works during the overlap');
    assert.equal(await status(secret), 200, 'the new secret works');
    assert.equal(await tv.evaluate(() => window.bullpenDisplay.connected()), true, 'the screen on the old link stays');

    const listed = row(await state(page), lobby.id);
    assert.match(listed.expires, /^Never.*Old secret works until .*\(in (1 hour|60 minutes|59 minutes)\)/);
    assert.equal(listed.rotatable, true);

    const tv2 = await openPage(browser, tvErrors, { width: 1280, height: 720 });
    await tv2.goto(link);
    await tv2.waitForFunction((id) => window.bullpenDisplay && window.bullpenDisplay.connected()
      && window.bullpenDisplay.state().contests[id]?.name === 'Revenue sprint', contest.id, { timeout: 20_000 });
    await tv2.close();

    // The screen with every state: live, expiring, expired, in a rotation's overlap, the secret shown.
    await page.waitForFunction(() => !document.querySelector('.toast'), null, { timeout: 15_000 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no sideways scrolling (${overflow}px)`);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join(shots, 'manage-tokens.png') });
  });

  await t.test('rotate with no overlap: the old secret is refused at once and its screen signed out', async () => {
    await page.getByRole('button', { name: 'Rotate Lobby TV' }).click();
    const dialog = page.getByRole('dialog', { name: 'Rotate "Lobby TV"' });
    await dialog.getByRole('radio', { name: 'No, stop it now' }).check();
    await dialog.getByLabel('Expiry').selectOption({ label: 'A week from now' });
    await dialog.getByRole('button', { name: 'Rotate' }).click();
    const box = page.getByRole('region', { name: 'New secret for display token: Lobby TV' });
    await page.waitForFunction((prev) => document.getElementById('minted-secret').value !== prev, rotated.secret);
    const secret = await box.getByLabel('Secret').inputValue();
    assert.match(await box.locator('#minted-overlap').textContent(), /old secret no longer works/i);
    assert.equal(await status(rotated.secret), 401, 'the secret replaced is refused');
    assert.equal(await status(lobby.token), 401, 'and the one before it');
    assert.equal(await status(secret), 200);
    const api = await tokenById(lobby.id);
    assert.ok(Math.abs(Date.parse(api.expires_at) - (Date.now() + 7 * DAY)) < 60_000, api.expires_at);
    await tv.locator('#fatal').waitFor({ state: 'visible', timeout: 15_000 });
    assert.match(await tv.textContent('#fatal'), /not paired/i);
    await tv.close();

    const listed = row(await state(page), lobby.id);
    assert.match(listed.expires, /^Expires in 7 days/);
    assert.doesNotMatch(listed.expires, /Old secret/);
  });

  await t.test('no Rotate where the API would refuse: a manager\'s own kind, a revoked token', async () => {
    await stack.api('DELETE', `/tokens/${visitor.id}`);
    await page.getByLabel('Show revoked').check();
    await page.evaluate(() => window.bullpenManage.refresh());
    await page.waitForFunction((id) => window.bullpenManage.state().tokens.find((x) => x.id === id)?.state === 'revoked', visitor.id);
    const s = await state(page);
    assert.equal(row(s, visitor.id).rotatable, false);
    assert.equal(row(s, manager.id).rotatable, false, 'a manager rotates what it may revoke: no manager token');
    assert.equal(s.tokens.at(-1).state, 'revoked', 'revoked last');
    assert.deepEqual([...new Set(s.tokens.map((x) => x.state))], ['live', 'expired', 'revoked']);
  });

  assert.deepEqual(errors.filter((e) => !expected(e)), []);
  // The screens: nothing went wrong before the second rotation signed the first one out on purpose.
  assert.deepEqual(tvErrors.filter((e) => !/^401 /.test(e)), []);
});
