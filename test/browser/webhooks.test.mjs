// The console's Webhooks screen, in a real browser (Debian's Chromium through playwright-core)
// against a stack of its own (stack.mjs) and a real local receiver (node:http, on loopback, so
// the stack runs with BULLPEN_WEBHOOK_ALLOW_PRIVATE=true): a bad URL refused at its field, an
// endpoint added with its secret shown once, a deal won delivered signed (verified here with
// the documented scheme), the delivery log, a failing receiver's retry in the log, turning the
// endpoint off (the state and reason shown) and removing it. By hand, after `make build`:
//
//   cd test/browser && npm ci && node --test webhooks.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { startStack, dealWon, until } from './stack.mjs';
import { launch, openPage } from './browser.mjs';

const state = (page) => page.evaluate(() => window.bullpenManage.state());

/** A local receiver answering each request with the next status of answers (the last repeats). */
async function receiver(t) {
  const heard = [];
  const r = { heard, answers: [204] };
  const srv = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      heard.push({ headers: req.headers, body: Buffer.concat(chunks) });
      res.statusCode = r.answers.length > 1 ? r.answers.shift() : r.answers[0];
      res.end();
    });
  });
  await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => srv.close(resolve)));
  r.url = `http://127.0.0.1:${srv.address().port}/hook`;
  return r;
}

/** docs/api.md §3 "Webhooks": v1, base64 HMAC-SHA256 of id.timestamp.body with the secret's key. */
function verifies(secret, { headers, body }) {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const mac = createHmac('sha256', key).update(`${headers['webhook-id']}.${headers['webhook-timestamp']}.`).update(body).digest();
  return (headers['webhook-signature'] || '').split(' ').some((s) => {
    const [v, b64] = s.split(',');
    const got = Buffer.from(b64 || '', 'base64');
    return v === 'v1' && got.length === mac.length && timingSafeEqual(got, mac);
  });
}

/** The errors the page made on purpose: the API's 400 to a bad URL. */
const expected = (e) => /^400 POST .*\/api\/v1\/webhooks$/.test(e);

test('webhooks in the console', { timeout: 180_000 }, async (t) => {
  const stack = await startStack(t, { env: { BULLPEN_WEBHOOK_ALLOW_PRIVATE: 'true' } });
  const rec = await receiver(t);
  const manager = await stack.mintToken('manager', { name: 'Morgan Lee' });
  const browser = await launch(t);
  const errors = [];
  const page = await openPage(browser, errors, { width: 1440, height: 900 });
  await page.goto(`${stack.base}/manage#token=${manager.token}&section=webhooks`);
  await page.getByRole('heading', { name: 'Webhooks', level: 1 }).waitFor();
  const form = page.getByRole('form', { name: 'Add a webhook' });

  await t.test('a URL the API refuses is marked at its field', async () => {
    await form.getByLabel('URL').fill('ftp://files.example.com/drop');
    await form.getByRole('button', { name: 'Add webhook' }).click();
    await until(async () => (await form.getByLabel('URL').getAttribute('aria-invalid')) === 'true', 10_000, 'the URL marked');
    assert.equal((await state(page)).webhooks.length, 0);
  });

  let secret;
  await t.test('an endpoint added shows its secret once', async () => {
    await form.getByLabel('Name').fill('Floor feed');
    await form.getByLabel('URL').fill(rec.url);
    await form.getByRole('radio', { name: 'Bullpen JSON' }).check();
    await form.getByRole('button', { name: 'Add webhook' }).click();
    await page.getByRole('region', { name: 'Signing secret' }).waitFor();
    secret = await page.locator('#wh-secret').inputValue();
    assert.match(secret, /^whsec_/);
    const s = await until(async () => ((await state(page)).webhooks.length === 1 ? state(page) : null), 10_000, 'the endpoint listed');
    assert.ok(s.webhooks[0].enabled);
    assert.match(s.webhooks[0].state, /Enabled/);
    await page.getByRole('button', { name: 'Done, hide the secret' }).click();
    assert.equal((await state(page)).webhookSecret, null);
  });

  await t.test('a deal won arrives signed, and the log shows it', async () => {
    await stack.produce([dealWon({ rep_id: 'ana', name: 'Ana Lima', team_id: 'east' }, 1200, { deal_id: 'D-web-1' })]);
    const req = await until(() => rec.heard[0], 30_000, 'the celebration delivered');
    const msg = JSON.parse(req.body.toString());
    assert.equal(msg.type, 'celebration');
    assert.equal(msg.data.deal_id, 'D-web-1');
    assert.equal(msg.id, req.headers['webhook-id']);
    assert.ok(verifies(secret, req), 'the signature verifies by the documented scheme');
    await page.getByRole('button', { name: 'Deliveries of Floor feed' }).click();
    await until(async () => (await state(page)).webhookLog?.attempts.some((a) => a.status === 204 && a.type === 'celebration'), 10_000, 'the delivery in the log');
  });

  await t.test('a failing receiver is retried, and the log says so', async () => {
    rec.answers = [500, 204];
    await page.getByRole('button', { name: 'Send a test to Floor feed' }).click();
    await until(() => rec.heard.length >= 3, 60_000, 'the test sent, failed and sent again');
    await page.locator('#wh-log-refresh').click();
    const log = await until(async () => {
      const l = (await state(page)).webhookLog;
      return l.attempts.filter((a) => a.type === 'webhook.test').length >= 2 ? l : null;
    }, 10_000, 'both attempts in the log');
    const tests = log.attempts.filter((a) => a.type === 'webhook.test');
    assert.equal(tests[0].status, 204); // newest first
    assert.equal(tests[1].status, 500);
    assert.equal(tests[1].error, 'answered 500');
    assert.equal(rec.heard[1].headers['webhook-id'], rec.heard[2].headers['webhook-id'], 'a retry keeps its delivery id');
  });

  await t.test('turned off, it says so and why; removed, it is gone', async () => {
    await page.getByRole('button', { name: 'Turn off Floor feed' }).click();
    const s = await until(async () => {
      const w = (await state(page)).webhooks[0];
      return w && !w.enabled ? w : null;
    }, 10_000, 'the endpoint turned off');
    assert.match(s.state, /Disabled/);
    assert.match(s.state, new RegExp(`turned off by ${manager.id}`));
    await page.getByRole('button', { name: 'Remove Floor feed' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Remove' }).click();
    await until(async () => (await state(page)).webhooks.length === 0, 10_000, 'the endpoint removed');
    assert.equal((await stack.api('GET', '/webhooks')).items.length, 0);
  });

  assert.deepEqual(errors.filter((e) => !expected(e)), []);
});
