// The boards on the wall: the contests of the pairing in turn (the slides), each as its top
// rows that slide to their new places when the standings change, then the paired teams'
// attainment boards (targets.js).
import { METRICS, metricOf } from '../shared/format.js';
import { h, reducedMotion, restartClass } from '../shared/page.js';
import { renderCountdown } from './countdown.js';
import { formatScore, showsScore } from './format.js';
import { renderIncentive } from './incentive.js';
import { contests, el, pairing } from './state.js';
import { renderTargets, slideTitle, targetSlides } from './targets.js';
import { feedSlide, feedTitle, isFeed, renderFeed } from './feed.js';

const TOP = 10;

let slideIndex = 0;
let slideStartedAt = Date.now();
let renderedContest = null;    // the contest whose rows are in the DOM
const rowEls = new Map();      // entrant key -> {li, rank, score, refs}

/** A contest's new standings (live: from an update, so the rows move). */
export function setStandings(c, st, live) {
  if (!st || !Array.isArray(st.entries)) return;
  c.standings = st;
  if (currentContest() === c) renderBoard(live);
  else if (!currentSlide()) renderAll();
}

/** A paired team's attainment boards changed: their slides are drawn again. */
export function targetsChanged() {
  const cur = currentSlide();
  if (!cur || isTargets(cur)) renderAll();
  else renderSlides();
}

const isTargets = (s) => !!s && s.kind === 'targets';

/**
 * What can be shown, in the pairing's order: its contests, then its teams' target sets; or, for
 * a display bound to a screen, the screen's slides in the screen's order.
 */
export function playlist() {
  if (!pairing.slides) return [...contests.values()].filter((c) => !c.missing).concat(targetSlides());
  const out = [];
  for (const s of pairing.slides) {
    if (s.kind === 'contest') {
      const c = contests.get(s.id);
      if (c && !c.missing) out.push(c);
    } else if (s.kind === 'targets') {
      out.push(...targetSlides(s.team));
    } else if (s.kind === 'incentives' || s.kind === 'floor') {
      out.push(feedSlide(s.kind));
    }
  }
  return out;
}

/** The slide on screen: a contest, or a target set ({kind: 'targets'}). */
export function currentSlide() {
  const list = playlist();
  if (!list.length) return null;
  if (slideIndex >= list.length) slideIndex = 0;
  return list[slideIndex];
}

/** The contest on screen; null while a target set or a feed is. */
export function currentContest() {
  const s = currentSlide();
  return s && !s.kind ? s : null;
}

function goToSlide(i) {
  const list = playlist();
  if (!list.length) return;
  slideIndex = ((i % list.length) + list.length) % list.length;
  slideStartedAt = Date.now();
  renderAll(true);
  restartProgress();
}

/** The next or previous contest of the playlist (the arrow keys). */
export function stepSlide(step) {
  goToSlide(slideIndex + step);
}

/** Moves on to the next contest once the current one has had its time. */
export function rotateIfDue(t) {
  if (playlist().length > 1 && t - slideStartedAt >= pairing.rotateMs) goToSlide(slideIndex + 1);
}

export function renderAll(fade) {
  const onTargets = isTargets(currentSlide());
  const onFeed = isFeed(currentSlide());
  el.board.hidden = onTargets || onFeed;
  el.targets.hidden = !onTargets;
  el.feed.hidden = !onFeed;
  if (onFeed) {
    renderFeed(currentSlide());
    if (fade && !reducedMotion()) el.feed.animate([{ opacity: 0 }, { opacity: 1 }], { duration: 400, easing: 'ease-out' });
  } else if (onTargets) {
    renderTargets(currentSlide());
    if (fade && !reducedMotion()) el.targets.animate([{ opacity: 0 }, { opacity: 1 }], { duration: 400, easing: 'ease-out' });
  } else {
    renderHeader();
    renderBoard(false, fade);
  }
  renderSlides();
  renderCountdown();
  renderIncentive();
}

function renderHeader() {
  const c = currentContest();
  if (!c) {
    el.name.textContent = contests.size ? 'Contest not found' : pairing.targets.length ? 'Team not found' : 'No contest chosen';
    el.metric.textContent = 'Live standings';
    document.title = 'Bullpen · wall display';
    return;
  }
  const name = (c.meta && c.meta.name) || 'Live contest';
  el.name.textContent = name;
  document.title = 'Bullpen · ' + name;
  const parts = [METRICS[metricOf(c)] || 'Live standings'];
  if (c.meta && c.meta.scope === 'team') parts.push('Teams');
  if (c.meta && c.meta.kind === 'race') parts.push('Race');
  el.metric.textContent = parts.join(' · ');
}

const isTeamBoard = (c) => (c.meta ? c.meta.scope === 'team'
  : !!(c.standings && c.standings.entries.length && c.standings.entries.every((e) => !e.rep_id)));
const entryKey = (e) => (e.rep_id ? 'rep:' + e.rep_id : 'team:' + (e.team_id || e.name));

function buildRow() {
  const li = h('li', { class: 'row' },
    h('span', { class: 'c-rank' }, h('span', { class: 'rank' }), h('span', { class: 'moved', 'aria-hidden': 'true' })),
    h('span', { class: 'c-name' }, h('span', { class: 'nm' })),
    h('span', { class: 'c-team' }),
    h('span', { class: 'c-score' }, h('span', { class: 'delta', 'aria-hidden': 'true' }), h('span', { class: 'score' })));
  li.addEventListener('animationend', (ev) => {
    if (ev.animationName === 'flash') li.classList.remove('bump');
    if (ev.animationName === 'moved') li.classList.remove('rose');
    if (ev.animationName === 'enter') li.classList.remove('enter');
  });
  return {
    li, rank: 0, score: null, anim: null,
    refs: {
      rank: li.querySelector('.rank'), moved: li.querySelector('.moved'), name: li.querySelector('.nm'),
      cName: li.querySelector('.c-name'), team: li.querySelector('.c-team'), score: li.querySelector('.score'),
      delta: li.querySelector('.delta'),
    },
  };
}

/**
 * Draws the current contest's top rows. With animate, rows keep their element and slide from
 * where they were to where they are now (FLIP), and a row whose score went up flashes.
 */
function renderBoard(animate, fade) {
  const c = currentContest();
  const st = c && c.standings;
  if (!c || renderedContest !== c.id) {
    for (const r of rowEls.values()) r.li.remove();
    rowEls.clear();
    renderedContest = c ? c.id : null;
    animate = false;
  }
  el.board.classList.toggle('team-scope', !!c && isTeamBoard(c));
  el.board.classList.toggle('no-score', !!c && !showsScore(c));
  el.headName.textContent = c && isTeamBoard(c) ? 'Team' : 'Rep';
  el.headScore.textContent = (c && METRICS[metricOf(c)]) || 'Score';
  if (!st) {
    el.empty.hidden = false;
    el.empty.textContent = !c ? (contests.size || pairing.targets.length ? 'None of this display\'s boards was found.' : 'Add &contests=id1,id2 to the pairing link.')
      : 'Waiting for the standings…';
    return;
  }
  el.board.setAttribute('aria-busy', 'false');
  const entries = st.entries.slice(0, TOP);
  el.empty.hidden = entries.length > 0;
  el.empty.textContent = 'No scores yet: the first deal takes the top spot.';

  // First: where every row is now (mid-animation included).
  const first = new Map();
  if (animate) {
    for (const [key, r] of rowEls) first.set(key, r.li.getBoundingClientRect().top);
  }
  const scored = showsScore(c);
  const race = c.meta && c.meta.kind === 'race' && c.meta.target;
  const top = Math.max(0, Number(entries.length ? entries[0].score : 0));
  const keep = new Set();
  const ordered = [];
  for (const e of entries) {
    const key = entryKey(e);
    keep.add(key);
    let r = rowEls.get(key);
    const fresh = !r;
    if (fresh) {
      r = buildRow();
      rowEls.set(key, r);
    }
    const score = Number(e.score) || 0;
    const refs = r.refs;
    for (const k of [1, 2, 3]) r.li.classList.toggle('r' + k, e.rank === k);
    refs.rank.textContent = String(e.rank);
    refs.name.textContent = e.name || e.rep_id || e.team_id || '—';
    let badge = refs.cName.querySelector('.finished');
    if (e.finished_at && !badge) {
      badge = document.createElement('span');
      badge.className = 'finished';
      badge.textContent = 'Finished';
      refs.cName.append(badge);
    } else if (!e.finished_at && badge) {
      badge.remove();
    }
    refs.team.textContent = e.team_id || '';
    refs.score.textContent = scored ? formatScore(c, score) : '';
    const share = race ? Math.min(1, score / Number(c.meta.target)) : (top > 0 ? Math.max(0, score) / top : 0);
    r.li.style.setProperty('--share', share.toFixed(4));
    r.li.classList.toggle('zero', !(share > 0));
    if (animate && !fresh) {
      if (r.score !== null && score > r.score) {
        refs.delta.textContent = scored ? '+' + formatScore(c, score - r.score) : '';
        restartClass(r.li, 'bump');
      }
      if (r.rank && e.rank < r.rank) {
        refs.moved.textContent = '▲' + (r.rank - e.rank);
        restartClass(r.li, 'rose');
      }
    } else if (animate && fresh) {
      restartClass(r.li, 'enter');
    }
    r.rank = e.rank;
    r.score = score;
    ordered.push(r);
  }
  for (const [key, r] of rowEls) {
    if (!keep.has(key)) {
      if (r.anim) r.anim.cancel();
      r.li.remove();
      rowEls.delete(key);
    }
  }
  // Last: put the rows in their new order.
  for (const r of ordered) {
    if (r.anim) {
      r.anim.cancel();
      r.anim = null;
    }
  }
  el.rows.append(...ordered.map((r) => r.li));
  if (animate && !reducedMotion()) {
    // Invert and play.
    for (const [key, r] of rowEls) {
      const from = first.get(key);
      if (from === undefined) continue;
      const dy = from - r.li.getBoundingClientRect().top;
      if (Math.abs(dy) < 1) continue;
      r.anim = r.li.animate([{ transform: `translateY(${dy}px)` }, { transform: 'translateY(0)' }],
        { duration: 700, easing: 'cubic-bezier(.2,.8,.2,1)' });
      r.anim.onfinish = () => { r.anim = null; };
      if (dy > 0) r.li.style.zIndex = '2';
      else r.li.style.zIndex = '';
    }
  }
  if (fade && !reducedMotion()) {
    el.board.animate([{ opacity: 0 }, { opacity: 1 }], { duration: 400, easing: 'ease-out' });
  }
}

function renderSlides() {
  const list = playlist();
  const cur = currentSlide();
  el.slides.hidden = list.length < 2;
  el.progress.parentElement.hidden = list.length < 2;
  const buttons = [...el.slides.children];
  while (buttons.length > list.length) buttons.pop().remove();
  list.forEach((c, i) => {
    let b = buttons[i];
    if (!b) {
      b = document.createElement('button');
      b.type = 'button';
      b.addEventListener('click', () => goToSlide(Number(b.dataset.index)));
      el.slides.append(b);
      buttons.push(b);
    }
    b.dataset.index = String(i);
    b.textContent = isTargets(c) ? slideTitle(c) : isFeed(c) ? feedTitle(c) : (c.meta && c.meta.name) || 'Contest ' + (i + 1);
    b.setAttribute('aria-current', c === cur ? 'true' : 'false');
  });
}

export function restartProgress() {
  const bar = el.progress;
  bar.getAnimations().forEach((a) => a.cancel());
  if (playlist().length < 2 || reducedMotion()) {
    bar.style.width = '0';
    return;
  }
  bar.style.width = '100%';
  bar.style.transformOrigin = 'left center';
  bar.animate([{ transform: 'scaleX(0)' }, { transform: 'scaleX(1)' }], { duration: pairing.rotateMs, easing: 'linear', fill: 'forwards' });
}
