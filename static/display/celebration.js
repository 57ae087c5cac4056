// Celebrations: a deal won or a spot incentive won takes the screen for a few seconds, one after
// another, folded into one card when the floor is busy; and the latest deals in the footer.
import { h } from '../shared/page.js';
import { pointsFmt } from './format.js';
import { playSound } from './sound.js';
import { S, el, money, pairing } from './state.js';

const CELEBRATION_MS = 4000;   // how long a celebration holds the screen
const CELEBRATION_BUSY_MS = 2600; // ... when more are waiting
const MAX_WAITING = 5;         // celebrations waiting beyond this fold into one "+N deals" card
const CELEBRATION_RUN_MS = 12000; // after this long of back-to-back celebrations...
const BOARD_BREAK_MS = 8000;   // ... the board gets the screen back for this long
const RECENT = 4;              // latest deals in the footer
const SHOWN_LOG = 50;          // celebrations kept for the test hook

const celQueue = [];
let celShowing = null;
let celShownCount = 0;
const celShown = [];
const recent = [];             // latest deals, newest first

/** A deal for the footer's latest deals. */
export function pushRecent(item) {
  recent.unshift(item);
  recent.length = Math.min(recent.length, RECENT);
  // Names are the event's, so they go in as text, never as markup.
  el.recent.replaceChildren(...(recent.length ? [h('span', { class: 'lbl', text: 'Latest' }), ...recent.map((r) => h('span', { class: 'item' },
    r.name, pairing.hideAmounts || r.amount === undefined ? null : [' ', h('b', { text: money.format(r.amount) })]))] : []));
}

export function enqueueCelebration(card) {
  const individual = celQueue.filter((x) => x.kind !== 'fold').length;
  if (individual >= MAX_WAITING) {
    let fold = celQueue[celQueue.length - 1];
    if (!fold || fold.kind !== 'fold') {
      fold = { kind: 'fold', n: 0, wins: 0, amount: 0, names: [], deal_ids: [] };
      celQueue.push(fold);
    }
    fold.n++;
    if (card.kind === 'incentive') fold.wins++;
    if (card.deal_id && fold.deal_ids.length < SHOWN_LOG) fold.deal_ids.push(card.deal_id);
    fold.amount += Number(card.amount) || 0;
    if (!fold.names.includes(card.name)) fold.names.push(card.name);
  } else {
    celQueue.push(card);
  }
  pump();
}

// A busy floor must not hide the board for good: after a run of celebrations the board gets
// a break, while newer ones wait (and fold).
let celRunStarted = 0;
let celBreakUntil = 0;
let celTimer = 0;

function pump() {
  if (celShowing || !celQueue.length || S.stopped) return;
  const t = Date.now();
  if (t < celBreakUntil) {
    clearTimeout(celTimer);
    celTimer = setTimeout(pump, celBreakUntil - t);
    return;
  }
  if (!celRunStarted) celRunStarted = t;
  const card = celQueue.shift();
  celShowing = card;
  showCelebration(card);
  setTimeout(() => {
    el.cel.classList.add('out');
    setTimeout(() => {
      el.cel.hidden = true;
      el.cel.classList.remove('out');
      celShowing = null;
      const done = Date.now();
      if (!celQueue.length) {
        celRunStarted = 0;
      } else if (done - celRunStarted >= CELEBRATION_RUN_MS) {
        celRunStarted = 0;
        celBreakUntil = done + BOARD_BREAK_MS;
      }
      pump();
    }, 400);
  }, celQueue.length >= 2 ? CELEBRATION_BUSY_MS : CELEBRATION_MS);
}

function showCelebration(card) {
  el.cel.classList.toggle('incentive-win', card.kind === 'incentive');
  el.cel.classList.toggle('fold', card.kind === 'fold');
  if (card.kind === 'fold') {
    el.celKicker.textContent = 'The floor is on fire';
    const what = card.wins ? 'win' : 'deal'; // incentive wins folded in: they are wins, not deals
    el.celName.textContent = `+${card.n} ${what}${card.n === 1 ? '' : 's'}`;
    el.celWhat.textContent = pairing.hideAmounts || !card.amount ? '' : money.format(card.amount) + ' more';
    const shown = card.names.slice(0, 3).join(', ');
    const more = card.names.length - 3;
    el.celTeam.textContent = more > 0 ? `${shown} and ${more} more` : shown;
  } else if (card.kind === 'incentive') {
    el.celKicker.textContent = 'Spot incentive won';
    el.celName.textContent = card.name;
    el.celWhat.textContent = card.points ? `+${pointsFmt.format(card.points)} points` : 'won';
    el.celTeam.textContent = card.title;
  } else {
    el.celKicker.textContent = 'Deal won';
    el.celName.textContent = card.name;
    el.celWhat.textContent = pairing.hideAmounts ? 'closed a deal' : 'closed ' + money.format(card.amount);
    el.celTeam.textContent = card.team ? `Team ${card.team}` : '';
  }
  el.cel.hidden = false;
  playSound(card.kind === 'fold' ? 'fold' : card.kind);
  // Restart the entry animations for back-to-back cards.
  for (const node of [el.cel, el.cel.querySelector('.cel-card')]) {
    node.style.animation = 'none';
    void node.offsetWidth;
    node.style.animation = '';
  }
  celShownCount++;
  celShown.push({
    kind: card.kind, name: card.kind === 'fold' ? null : card.name,
    amount: card.kind === 'incentive' ? null : (card.amount === undefined ? null : Number(card.amount)),
    points: card.points ?? null, n: card.kind === 'fold' ? card.n : 1,
    deal_ids: card.kind === 'fold' ? card.deal_ids.slice() : (card.deal_id ? [card.deal_id] : []),
    text: `${el.celName.textContent} ${el.celWhat.textContent}`.trim(), at: new Date().toISOString(),
  });
  if (celShown.length > SHOWN_LOG) celShown.splice(0, celShown.length - SHOWN_LOG);
}

export function makeConfetti() {
  const colors = ['#ffc93c', '#4ce08a', '#7cc4ff', '#ff7a7a', '#f4f7fa', '#c89bff'];
  const frag = document.createDocumentFragment();
  for (let i = 0; i < 24; i++) { // each piece costs frames on a wall without a GPU
    const p = document.createElement('i');
    p.style.left = `${(i * 97) % 100}%`;
    p.style.background = colors[i % colors.length];
    p.style.animationDuration = `${2.6 + ((i * 37) % 17) / 10}s`;
    p.style.animationDelay = `${-((i * 53) % 40) / 10}s`;
    p.style.setProperty('--drift', `${((i * 29) % 13) - 6}vw`);
    p.style.setProperty('--spin', `${360 + ((i * 71) % 5) * 120}deg`);
    if (i % 3 === 0) p.style.borderRadius = '50%';
    frag.append(p);
  }
  el.confetti.append(frag);
}

/** The fatal screen takes over: nothing more is celebrated. */
export function stopCelebrations() {
  el.cel.hidden = true;
  celQueue.length = 0;
}

/** For the test hook. */
export function celebrationState() {
  return {
    celebrations: celShown,
    celebrationsShown: celShownCount,
    celebrationShowing: celShowing ? { kind: celShowing.kind, name: celShowing.name || null } : null,
    celebrationsWaiting: celQueue.reduce((n, x) => n + (x.kind === 'fold' ? x.n : 1), 0),
    celebrationQueue: celQueue.map((x) => ({ kind: x.kind, n: x.kind === 'fold' ? x.n : 1,
      deal_ids: x.kind === 'fold' ? x.deal_ids.slice() : (x.deal_id ? [x.deal_id] : []) })),
  };
}
