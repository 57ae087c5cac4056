// A spot incentive across the three pages, as the floor lives it: a manager launches it in
// /manage (through the form), the wall display shows its banner, a rep wins it with a deal sent
// to the API, and that rep's phone (/me) shows the reward. One stack (stack.mjs), three pages
// in one Chromium. `make test-browser` runs it; by hand, after `make build`:
//
//   cd test/browser && npm ci && node --test incentive.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, dealWon, until as waitFor } from './stack.mjs';
import { launch, openPage } from './browser.mjs';

const REPS = [
  { rep_id: 'rep-ana', name: 'Ana Ruiz', team_id: 'east' },
  { rep_id: 'rep-ben', name: 'Ben Okafor', team_id: 'west' },
  { rep_id: 'rep-dev', name: 'Dev Patel', team_id: 'north' },
];
const [, BEN, DEV] = REPS;

test('a spot incentive from the manager console to the wall and the winner\'s phone', { timeout: 180_000 }, async (t) => {
  const stack = await startStack(t);
  const { base } = stack;
  const now = new Date();
  const contest = await stack.api('POST', '/contests', {
    name: 'Revenue sprint', kind: 'leaderboard', metric: 'revenue', scope: 'rep', timezone: 'UTC', period: 'none',
    starts_at: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString(),
    ends_at: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString(),
  });
  await stack.postEvents(REPS.map((r, i) => dealWon(r, 9000 - i * 2000)));
  await waitFor(async () => (await stack.api('GET', `/contests/${contest.id}/leaderboard`)).total === REPS.length,
    30_000, 'the seeded deals on the board');
  const [manager, display, devPhone] = await Promise.all([
    stack.mintToken('manager', { name: 'Morgan Lee' }),
    stack.mintToken('display', { name: 'Floor wall' }),
    stack.mintToken('rep', { rep_id: DEV.rep_id, name: 'Dev phone' }),
  ]);

  const browser = await launch(t);
  const errors = [];
  const console_ = await openPage(browser, errors, { width: 1440, height: 900 });
  const wall = await openPage(browser, errors, { width: 1920, height: 1080 });
  const phone = await openPage(browser, errors, { width: 390, height: 844 });

  await wall.goto(`${base}/display#token=${encodeURIComponent(display.token)}&contests=${contest.id}&sound=off`);
  await phone.goto(`${base}/me#token=${encodeURIComponent(devPhone.token)}`);
  await console_.goto(`${base}/manage`);
  await console_.getByLabel('Manager or admin token').fill(manager.token);
  await console_.getByRole('button', { name: 'Sign in' }).click();
  await console_.getByText('Signed in as').waitFor();
  await Promise.all([
    wall.waitForFunction(() => window.bullpenDisplay && window.bullpenDisplay.connected(), null, { timeout: 20_000 }),
    phone.waitForFunction(() => window.bullpenMe && window.bullpenMe.connected(), null, { timeout: 20_000 }),
    console_.waitForFunction(() => window.bullpenManage && window.bullpenManage.connected(), null, { timeout: 20_000 }),
  ]);

  let title;
  await t.test('the manager launches it through the form; the wall shows its banner with a countdown', async () => {
    await console_.getByRole('navigation', { name: 'Console sections' }).getByRole('link', { name: /Incentives/ }).click();
    const form = console_.getByRole('form', { name: 'Launch a spot incentive' });
    await form.getByLabel(/Minimum deal/).fill('5000');
    await form.getByLabel('Reward points').fill('300');
    await form.getByLabel('Winners').fill('1');
    await form.getByRole('radio', { name: '1 hour' }).check();
    title = await form.getByLabel('Title shown on the wall').inputValue();
    assert.match(title, /^First to close \$5K\+ .* win 300 points$/);
    await form.getByRole('button', { name: 'Launch incentive' }).click();

    const banner = wall.locator('#incentive');
    await banner.getByText(title).waitFor({ timeout: 15_000 });
    assert.match(await wall.textContent('#incentive-meta'), /^300 pts · 1 of 1 left · (00:59:\d\d|01:00:00)$/);
    // The rep's phone lists it too.
    await phone.waitForFunction((tt) => window.bullpenMe.state().incentives.some((i) => i.title === tt), title, { timeout: 15_000 });
  });

  await t.test('a deal too small does not win; the first one that qualifies does, and the winner\'s phone says so', async () => {
    await stack.postEvents([dealWon(BEN, 4000)]);
    const win = dealWon(DEV, 7200);
    await stack.postEvents([win]);

    // Dev's phone: the reward toast, on screen, and the balance.
    const toast = phone.locator('#toasts .toast-reward');
    await toast.waitFor({ state: 'visible', timeout: 15_000 });
    assert.match(await toast.innerText(), /\+300 points/);
    await phone.waitForFunction(() => document.getElementById('balance').textContent.trim() === '300', null, { timeout: 10_000 });

    // The wall: the win takes the screen, and no place is left.
    await wall.waitForFunction((id) => {
      const s = window.bullpenDisplay.state();
      return [...s.celebrations, ...s.celebrationQueue].some((c) => c.kind === 'incentive' && c.deal_ids.includes(id));
    }, win.deal_id, { timeout: 15_000 });
    await wall.waitForFunction(() => window.bullpenDisplay.state().celebrations.some((c) => c.kind === 'incentive'), null, { timeout: 20_000 });
    assert.match(await wall.locator('#celebration').innerText(), /Spot incentive won[\s\S]*Dev Patel[\s\S]*\+300 points/i);
    await wall.waitForFunction(() => /all places taken/.test(document.getElementById('incentive-meta').textContent) ||
      document.getElementById('incentive').hidden, null, { timeout: 10_000 });

    // The console: the winner arrives in the watched incentive.
    await console_.getByRole('list', { name: 'Winners' }).getByText('Dev Patel').waitFor({ timeout: 15_000 });

    // And the record agrees.
    const { items } = await stack.api('GET', '/incentives');
    const inc = items.find((i) => i.title === title);
    assert.deepEqual(inc.winners.map((w) => w.rep_id), [DEV.rep_id]);
    assert.equal((await stack.api('GET', `/reps/${BEN.rep_id}/ledger`)).balance, 0);
    assert.equal((await stack.api('GET', `/reps/${DEV.rep_id}/ledger`)).balance, 300);
  });

  await t.test('no script errors on any page', () => {
    assert.deepEqual(errors, []);
  });
});
