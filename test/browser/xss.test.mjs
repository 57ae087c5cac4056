// Names are text, on every page, under the pages' Content-Security-Policy (README "Security
// headers"). A rep, a team, a contest, a spot incentive, a note, a product, a deal (in a badge)
// and tokens named with markup go in through the real API and consumer; the wall display, /me
// and the console then show each of them literally, no element is made from them, nothing of
// theirs runs, and the policy refuses nothing during a normal session of each page (openPage
// counts every securitypolicyviolation as an error). `make test-browser` runs it; by hand,
// after `make build`:
//
//   cd test/browser && npm ci && node --test xss.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, dealWon, until as waitFor } from './stack.mjs';
import { launch, openPage } from './browser.mjs';

// Each would set window.__xss, or make an element, if it were ever parsed as markup.
const EVIL_NAME = '<img src=x onerror=window.__xss=1>';
const EVIL_TEAM = '<b onclick=window.__xss=2>east';
const CONTEST = '<script>window.__xss=3</script><img src=x onerror=window.__xss=4> sprint';
const INCENTIVE = '<img src=x onerror=window.__xss=5> first to close';
const PRODUCT = '<svg onload=window.__xss=6>';
const NOTE = '<img src=x onerror=window.__xss=7> covered the demo';
const DISPLAY_NAME = '<img src=x onerror=window.__xss=8> lobby';
const MANAGER_NAME = '<i onmouseover=window.__xss=9>Morgan</i>';
const DEAL = '<img src=x onerror=window.__xss=10>';

const EVIL = { rep_id: 'rep-evil', name: EVIL_NAME, team_id: 'west' };
const SAM = { rep_id: 'rep-sam', name: 'Sam Rivera', team_id: 'west' };
// The team's markup on the board beside its rep. (Its coaching screen is out of reach: the API
// does not decode a path's escapes, so GET /teams/%3Cb…/coaching finds no such team.)
const TESS = { rep_id: 'rep-tess', name: 'Tess Quinn', team_id: EVIL_TEAM };

async function seed(stack) {
  const now = Date.now();
  const contest = await stack.api('POST', '/contests', {
    name: CONTEST, kind: 'leaderboard', metric: 'revenue', scope: 'rep', timezone: 'UTC', period: 'none',
    starts_at: new Date(now - 3600e3).toISOString(), ends_at: new Date(now + 86400e3).toISOString(),
  });
  // The evil rep leads, Sam is second: Sam's page names the rep above.
  await stack.postEvents([dealWon(SAM, 1000), dealWon(EVIL, 5000), dealWon(TESS, 500)]);
  await waitFor(async () => (await stack.api('GET', `/contests/${contest.id}/leaderboard`)).total === 3,
    30_000, 'the seeded deals on the board');
  const incentive = await stack.api('POST', '/incentives', {
    title: INCENTIVE, condition: { type: 'deal.won', product: PRODUCT },
    reward_points: 100, max_winners: 3, ends_at: new Date(now + 1800e3).toISOString(),
  });
  await stack.api('POST', `/reps/${SAM.rep_id}/adjustments`, { points: 25, note: NOTE });
  const [manager, display, samPhone, evilPhone] = await Promise.all([
    stack.mintToken('manager', { name: MANAGER_NAME }),
    stack.mintToken('display', { name: DISPLAY_NAME }),
    stack.mintToken('rep', { rep_id: SAM.rep_id, name: 'Sam phone' }),
    stack.mintToken('rep', { rep_id: EVIL.rep_id, name: EVIL_NAME }),
  ]);
  return { contest, incentive, manager, display, samPhone, evilPhone };
}

/** What a page made of the names: none of it ran, no element came from them. */
const inert = (page) => page.evaluate(() => ({
  xss: window.__xss === undefined ? null : window.__xss,
  // None of the pages has an image, a script of its own in the body, or an inline handler.
  made: [...document.querySelectorAll('body img, body script, body svg[onload], [onerror], [onclick], [onload], [onmouseover]')]
    .map((n) => n.outerHTML.slice(0, 80)),
}));

async function assertInert(page, errors, what) {
  const r = await inert(page);
  assert.equal(r.xss, null, `${what}: window.__xss was set`);
  assert.deepEqual(r.made, [], `${what}: elements made from a name`);
  assert.deepEqual(errors, [], `${what}: script errors or policy violations`);
}

/** Waits until text shows literally, as text, in the element(s) of selector. */
async function shows(page, selector, text, timeout = 20_000) {
  try {
    await page.waitForFunction(([sel, want]) => [...document.querySelectorAll(sel)].some((n) => n.textContent.includes(want)),
      [selector, text], { timeout, polling: 100 });
  } catch (err) {
    const seen = await page.evaluate((sel) => [...document.querySelectorAll(sel)].map((n) => n.textContent), selector);
    throw new Error(`${selector} does not show ${JSON.stringify(text)}: it shows ${JSON.stringify(seen)} (${err.message})`);
  }
}

test('names are text on every page, under the policy', { timeout: 240_000 }, async (t) => {
  const stack = await startStack(t);
  const { base } = stack;
  const { contest, manager, display, samPhone, evilPhone } = await seed(stack);
  const browser = await launch(t);

  // The wall display stays on through the whole test: the console lists it as online.
  const wallErrors = [];
  const wall = await openPage(browser, wallErrors);
  await wall.goto(`${base}/display#token=${encodeURIComponent(display.token)}&contests=${contest.id}&sound=off`);
  await wall.waitForFunction(() => window.bullpenDisplay && window.bullpenDisplay.connected(), null, { timeout: 20_000 });

  await t.test('wall display: board, title, banner, celebrations and latest deals', async () => {
    await shows(wall, '#rows .row .nm', EVIL_NAME);
    await shows(wall, '#rows .row .c-team', EVIL_TEAM);
    assert.equal(await wall.locator('#contest-name').textContent(), CONTEST);
    assert.equal(await wall.title(), `Bullpen · ${CONTEST}`);
    await shows(wall, '#incentive-title', INCENTIVE);

    // A deal of the product wins the incentive: the win's card (the name and the incentive on
    // screen), the deal's, and the footer's latest deals.
    await stack.postEvents([dealWon(EVIL, 700, { product: PRODUCT })]);
    await wall.waitForFunction(([name, title]) => {
      const st = window.bullpenDisplay.state();
      return st.celebrationShowing && st.celebrationShowing.kind === 'incentive'
        && document.getElementById('cel-name').textContent === name && document.getElementById('cel-team').textContent === title;
    }, [EVIL_NAME, INCENTIVE], { timeout: 30_000, polling: 50 });
    const s = await wall.waitForFunction(() => {
      const st = window.bullpenDisplay.state();
      return st.celebrations.some((c) => c.kind === 'deal') && st;
    }, null, { timeout: 30_000, polling: 100 }).then((h) => h.jsonValue());
    assert.deepEqual(s.celebrations.map((c) => `${c.kind} ${c.name}`).sort(), [`deal ${EVIL_NAME}`, `incentive ${EVIL_NAME}`]);
    assert.equal(s.incentives[0].title, INCENTIVE);
    await shows(wall, '#recent .item', EVIL_NAME);
    await assertInert(wall, wallErrors, 'wall display');
  });

  await t.test('/me: the rep above, the contest, the incentive, the note, who passed me', async () => {
    const errors = [];
    const phone = await openPage(browser, errors, { width: 390, height: 844 });
    await phone.goto(`${base}/me#token=${encodeURIComponent(samPhone.token)}`);
    await phone.waitForFunction(() => window.bullpenMe && window.bullpenMe.connected(), null, { timeout: 20_000 });
    await shows(phone, '.contest .c-name', CONTEST);
    await shows(phone, '.contest .c-gap', `from #1 · ${EVIL_NAME}`);
    await shows(phone, '.incentive .i-title', INCENTIVE);
    await shows(phone, '.incentive .i-cond', `for ${PRODUCT}`);
    await shows(phone, '#ledger', NOTE);

    // Sam goes ahead, then the evil rep passes Sam back: "… passed you in …".
    await stack.postEvents([dealWon(SAM, 6000)]);
    await shows(phone, '.contest .c-passed', `You passed ${EVIL_NAME} in ${CONTEST}`);
    await stack.postEvents([dealWon(EVIL, 2000)]);
    try {
      await shows(phone, '.contest .c-passed', `${EVIL_NAME} passed you in ${CONTEST}`);
    } catch (err) {
      const st = await phone.evaluate(() => window.bullpenMe.state());
      const lb = await stack.api('GET', `/contests/${contest.id}/leaderboard`);
      throw new Error(`${err.message}\nthe page's moves ${JSON.stringify(st.moves)} contests ${JSON.stringify(st.contests)} board ${JSON.stringify(lb.entries)}`);
    }
    const toasts = await phone.evaluate(() => window.bullpenMe.toasts().map((x) => x.text || x.title || JSON.stringify(x)));
    assert.ok(toasts.some((x) => x.includes(`${EVIL_NAME} passed you`)), `toasts: ${JSON.stringify(toasts)}`);
    await assertInert(phone, errors, '/me of the rep below');
    await phone.close();

    // The evil rep's own page: its name and team in the greeting, its win and reward.
    const errors2 = [];
    const own = await openPage(browser, errors2, { width: 390, height: 844 });
    await own.goto(`${base}/me#token=${encodeURIComponent(evilPhone.token)}`);
    await own.waitForFunction(() => window.bullpenMe && window.bullpenMe.connected(), null, { timeout: 20_000 });
    await shows(own, '#rep-name', EVIL_NAME);
    await shows(own, '.incentive.won .i-title', INCENTIVE);
    await shows(own, '#ledger', INCENTIVE);
    await assertInert(own, errors2, '/me of the evil rep');
    await own.close();
  });

  await t.test('console: who is signed in, every list that holds a name', async () => {
    const errors = [];
    const page = await openPage(browser, errors, { width: 1440, height: 900 });
    const nav = page.getByRole('navigation', { name: 'Console sections' });
    await page.goto(`${base}/manage#token=${encodeURIComponent(manager.token)}`);
    await page.waitForFunction(() => window.bullpenManage && window.bullpenManage.connected(), null, { timeout: 20_000 });
    assert.equal(await page.locator('#who-name').textContent(), MANAGER_NAME);

    await nav.getByRole('link', { name: /Contests/ }).click();
    await shows(page, '#contest-list', CONTEST);
    await nav.getByRole('link', { name: /Incentives/ }).click();
    await shows(page, '#view-incentives', INCENTIVE);

    // A deal while the console is open: the floor feed names the rep.
    await stack.postEvents([dealWon(EVIL, 300)]);
    await shows(page, '#floor-list', EVIL_NAME);

    await nav.getByRole('link', { name: /Points/ }).click();
    await page.getByLabel('Name or rep id').fill('rep-sam');
    await page.getByRole('button', { name: /Sam Rivera/ }).click();
    await shows(page, '#ledger-rows', NOTE);
    await page.getByLabel('Name or rep id').fill('rep-evil');
    await page.getByRole('button', { name: EVIL_NAME }).click();
    await shows(page, '#ledger-rows', INCENTIVE);

    await nav.getByRole('link', { name: /Coaching/ }).click();
    const coaching = page.locator('#view-coaching');
    await coaching.getByLabel('Find a rep').fill('rep-evil');
    await coaching.getByRole('button', { name: EVIL_NAME }).click();
    await shows(page, '#coach-rep-h', EVIL_NAME);
    await shows(page, '#coach-team-rows', EVIL_NAME);

    await nav.getByRole('link', { name: /Displays/ }).click();
    await page.evaluate(() => window.bullpenManage.refresh());
    await shows(page, '#display-rows', DISPLAY_NAME);
    await shows(page, '#display-rows', CONTEST);

    await nav.getByRole('link', { name: /Tokens/ }).click();
    await shows(page, '#token-rows', DISPLAY_NAME);
    await shows(page, '#token-rows', MANAGER_NAME);
    await assertInert(page, errors, 'console');
    await page.close();
  });

  await t.test('a badge of the rep named with markup: its trophy case and the wall\'s latest line', async () => {
    await stack.api('PUT', '/achievements', { first_win: { enabled: true, points: 5 }, largest_deal: { enabled: true, points: 5 } });
    const errors = [];
    const own = await openPage(browser, errors, { width: 390, height: 844 });
    await own.goto(`${base}/me#token=${encodeURIComponent(evilPhone.token)}`);
    await own.waitForFunction(() => window.bullpenMe && window.bullpenMe.connected(), null, { timeout: 20_000 });
    await shows(own, '#trophy-empty', 'No badges yet');
    // Its largest deal yet, under a deal id with markup: both badges arrive live.
    await stack.postEvents([dealWon(EVIL, 9000, { deal_id: DEAL })]);
    await shows(own, '#trophy-list .t-name', 'Personal best');
    await shows(own, '#trophy-list .t-when', `deal ${DEAL}`);
    await shows(own, '#trophy-list .t-name', 'First win of the day');
    await assertInert(own, errors, 'the evil rep\'s trophy case');
    await own.close();
    await shows(wall, '#recent .item', `🏆 ${EVIL_NAME} earned Personal best`);
    await assertInert(wall, wallErrors, 'wall display with a badge');
  });

  await t.test('the wall after all of it', async () => {
    await assertInert(wall, wallErrors, 'wall display');
  });
});
