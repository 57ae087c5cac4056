// The browser tests' guard against a UTC midnight (stack.mjs: midnightWait, ago), at chosen
// moments rather than the clock's. No browser and no stack: `node --test clock.test.mjs`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ago, midnightWait, MIDNIGHT_GUARD } from './stack.mjs';

const at = (iso) => Date.parse(iso);

test('a test file does not start in the last minutes of a UTC day', () => {
  assert.equal(midnightWait(at('2026-12-31T12:00:00Z')), 0);
  assert.equal(midnightWait(at('2026-12-31T23:54:00Z')), 0, 'six minutes left are enough');
  const wait = midnightWait(at('2026-12-31T23:56:00Z'));
  assert.equal(wait, 4 * 60_000 + 15_000, 'four minutes left: it waits until 15 s into the next day');
  assert.equal(midnightWait(at('2026-12-31T23:56:00Z') + wait), 0, 'and then starts');
  assert.ok(MIDNIGHT_GUARD >= 300_000, 'the guard covers a test file\'s timeout');
});

test('ago is minutes before now once the day has two hours behind it', () => {
  const now = at('2026-12-04T10:00:00Z');
  assert.equal(ago(50, now), '2026-12-04T09:10:00.000Z');
  assert.equal(ago(1, now), '2026-12-04T09:59:00.000Z');
});

test('early in a day, ago keeps seeded moments in today and in their order', () => {
  for (const iso of ['2027-01-01T00:00:15Z', '2027-01-01T00:10:00Z', '2026-12-07T01:59:00Z']) {
    const now = at(iso);
    const today = at(iso.slice(0, 10) + 'T00:00:00Z');
    const moments = [50, 45, 40, 25, 20, 3, 2, 1].map((m) => at(ago(m, now)));
    for (const m of moments) assert.ok(m >= today && m < now, `${new Date(m).toISOString()} is today, before ${iso}`);
    for (let i = 1; i < moments.length; i++) assert.ok(moments[i - 1] < moments[i], `in order at ${iso}: ${moments.map((m) => new Date(m).toISOString())}`);
  }
});

test('ago refuses a moment further back than it keeps inside today', () => {
  const now = at('2026-12-04T10:00:00Z');
  assert.equal(ago(120, now), '2026-12-04T08:00:00.000Z');
  for (const m of [121, 14 * 24 * 60, -1, NaN]) {
    assert.throws(() => ago(m, now), RangeError, `ago(${m})`);
  }
});
