// The time on the wall: what is left of the contest (or until it starts), when its board starts
// afresh, or what is left of a target set's period; and the clock.
import { currentContest, currentSlide } from './slides.js';
import { targetsCountdown } from './targets.js';
import { clockDuration, dateFmt, dayTimeFmt, esc, formatScore, showsScore, shortDuration, timeFmt } from './format.js';
import { S, el, now, resubscribe } from './state.js';

export function renderCountdown() {
  const c = currentContest();
  const st = c && c.standings;
  const t = now();
  let label = 'Time left';
  let value = '—';
  let soon = false;
  let resets = '';
  const slide = currentSlide();
  if (slide && slide.kind === 'targets') {
    ({ label, value, soon, resets } = targetsCountdown(slide, t, (name) => {
      if (S.connected) resubscribe(name, false);
      return S.connected;
    }));
  } else if (st) {
    const status = st.status || (c.meta && c.meta.status) || 'live';
    const end = st.period && st.period.end ? Date.parse(st.period.end) : NaN;
    const start = st.period && st.period.start ? Date.parse(st.period.start) : NaN;
    if (status === 'cancelled') {
      label = 'Contest';
      value = 'Cancelled';
    } else if (status === 'final') {
      label = 'Contest';
      value = 'Final results';
    } else if (status === 'ended' || (!Number.isNaN(end) && t >= end)) {
      label = 'Time is up';
      value = 'Counting…';
    } else if (status === 'scheduled' && !Number.isNaN(start) && t < start) {
      label = 'Starts in';
      value = clockDuration(start - t);
    } else if (!Number.isNaN(end)) {
      value = clockDuration(end - t);
      soon = end - t < 3600 * 1000;
    } else {
      label = c.meta && c.meta.kind === 'race' ? 'Race' : 'Time left';
      value = 'Open-ended';
    }
    const resetAt = st.resets_at ? Date.parse(st.resets_at) : NaN;
    if (!Number.isNaN(resetAt) && status !== 'final' && status !== 'cancelled') {
      resets = resetAt > t
        ? `Fresh board in <strong>${esc(shortDuration(resetAt - t))}</strong> · ${esc(dayTimeFmt.format(new Date(resetAt)))}`
        : 'A fresh board is starting…';
      // The period rolled over: the next board comes with a fresh snapshot.
      if (resetAt + 3000 < t && c.periodRefreshed !== st.resets_at && S.connected) {
        c.periodRefreshed = st.resets_at;
        resubscribe('contest:' + c.id, false);
      }
    } else if (!Number.isNaN(end) && status === 'live' && end - t > 86400 * 1000) {
      resets = `Ends <strong>${esc(dateFmt.format(new Date(end)))}</strong>`;
    }
    if (c.meta && c.meta.kind === 'race' && c.meta.target && showsScore(c)) {
      resets = `First to <strong>${esc(formatScore(c, c.meta.target))}</strong>` + (resets ? ' · ' + resets : '');
    }
  }
  el.timeLeftLabel.textContent = label;
  el.timeLeft.textContent = value;
  el.timeLeft.classList.toggle('soon', soon);
  el.resets.hidden = !resets;
  if (el.resets.innerHTML !== resets) el.resets.innerHTML = resets;
  el.clock.textContent = timeFmt.format(new Date(t));
}
