// Debian's Chromium through playwright-core: no browser download, the same binary on every
// machine (`make test-browser` installs it with apt when it is missing).
import { chromium } from 'playwright-core';

export const executablePath = process.env.BULLPEN_CHROMIUM || '/usr/bin/chromium';

export const chromiumArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Launches headless Chromium for test t; closed when t ends. */
export async function launch(t, extraArgs = []) {
  const browser = await chromium.launch({ executablePath, headless: true, args: [...chromiumArgs, ...extraArgs] });
  t.after(() => browser.close());
  return browser;
}

/**
 * A page in a fresh context at viewport (default 1920x1080) that records every script error,
 * console error, failed request and Content-Security-Policy violation in errors, so a test can
 * assert there were none. The browser's clock is in UTC, as the tests compute months and days,
 * whatever the machine's zone (the console's default month is the browser's).
 */
export async function openPage(browser, errors, viewport = { width: 1920, height: 1080 }, contextOpts = {}) {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1, timezoneId: 'UTC', ...contextOpts });
  // Anything the pages' Content-Security-Policy refuses is an error too (the pages must work
  // fully under it): the event says which directive, whatever the console prints.
  await context.exposeBinding('__bullpenCSPViolation', (_source, v) => errors.push(`CSP violation: ${v}`));
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__bullpenCSPViolation(`${e.effectiveDirective} refused ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`);
    });
  });
  const page = await context.newPage();
  page.on('pageerror', (err) => errors.push(String(err)));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) errors.push(msg.text());
  });
  page.on('response', (res) => {
    if (res.status() >= 400) errors.push(`${res.status()} ${res.request().method()} ${res.url()}`);
  });
  page.on('close', () => context.close().catch(() => {}));
  return page;
}
