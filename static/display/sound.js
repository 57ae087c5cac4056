// Celebration sounds for the wall display, made with WebAudio (no file to ship). Browsers keep
// audio silent until someone has touched the page (autoplay policy): until then a celebration's
// sound is skipped, never played late, and the button says so. A wall browser can be started
// with --autoplay-policy=no-user-gesture-required, or anyone can click or press a key once.
import { store } from '../shared/page.js';
import { el, pairing } from './state.js';

const SOUND_KEY = 'bullpen.display.sound';
const SOUND_UNLOCK_WAIT_MS = 400; // a celebration's sound that cannot start by then is skipped, not played late

const storedSound = () => {
  const v = store.get(SOUND_KEY);
  return v === 'on' || v === 'off' ? v === 'on' : null;
};
let soundOn = storedSound() ?? pairing.sound;
let soundBlocked = false;
let soundsPlayed = 0;
let audioCtx = null;
let audioOut = null;

function audio() {
  if (audioCtx) return audioCtx;
  const Ctx = window.AudioContext || window.webkitAudioContext;
  if (!Ctx) return null;
  try {
    audioCtx = new Ctx();
  } catch {
    return null;
  }
  audioOut = audioCtx.createGain();
  audioOut.gain.value = 0.32;
  audioOut.connect(audioCtx.destination);
  audioCtx.onstatechange = () => {
    if (audioCtx.state === 'running') soundBlocked = false;
    renderSound();
  };
  return audioCtx;
}

/** A user gesture: the moment the browser lets audio start. */
export function unlockAudio() {
  if (!soundOn) return;
  const ctx = audio();
  if (!ctx) return;
  const unblocked = () => {
    if (ctx.state === 'running' && soundBlocked) {
      soundBlocked = false;
      renderSound();
    }
  };
  if (ctx.state === 'running') unblocked();
  else ctx.resume().then(unblocked, () => {});
}

function tone(ctx, freq, at, dur, type, peak) {
  const o = ctx.createOscillator();
  const g = ctx.createGain();
  o.type = type;
  o.frequency.value = freq;
  g.gain.setValueAtTime(0.0001, at);
  g.gain.exponentialRampToValueAtTime(peak, at + 0.015);
  g.gain.exponentialRampToValueAtTime(0.0001, at + dur);
  o.connect(g).connect(audioOut);
  o.onended = () => {
    o.disconnect();
    g.disconnect();
  };
  o.start(at);
  o.stop(at + dur + 0.05);
}

// Notes (Hz): a rising major arpeggio for a deal, a longer fanfare for an incentive won, two
// quick chords for a folded burst, one short blip when sound is switched on.
const C5 = 523.25, E5 = 659.25, G5 = 783.99, C6 = 1046.5, E6 = 1318.5, G4 = 392;
const TUNES = {
  deal: [[C5, 0], [E5, 0.09], [G5, 0.18], [C6, 0.27, 0.6]],
  incentive: [[G4, 0], [C5, 0.12], [E5, 0.24], [G5, 0.36], [C6, 0.5, 0.9], [E6, 0.5, 0.9]],
  fold: [[C5, 0], [E5, 0], [G5, 0], [E5, 0.2, 0.5], [G5, 0.2, 0.5], [C6, 0.2, 0.5]],
  on: [[G5, 0, 0.18]],
};

function playTune(name) {
  const ctx = audioCtx;
  const t0 = ctx.currentTime + 0.02;
  for (const [f, at, dur = 0.32] of TUNES[name]) {
    tone(ctx, f, t0 + at, dur, 'triangle', 0.5);
    tone(ctx, f * 2, t0 + at, dur * 0.6, 'sine', 0.08); // a little shine
  }
  soundsPlayed++;
}

export function playSound(name) {
  if (!soundOn) return;
  const ctx = audio();
  if (!ctx) return;
  if (ctx.state === 'running') {
    playTune(name);
    return;
  }
  const asked = Date.now();
  ctx.resume().then(() => {
    if (ctx.state === 'running' && Date.now() - asked < SOUND_UNLOCK_WAIT_MS) playTune(name);
  }, () => {});
  setTimeout(() => {
    if (ctx.state !== 'running' && soundOn) {
      soundBlocked = true;
      renderSound();
    }
  }, SOUND_UNLOCK_WAIT_MS);
}

function setSound(on) {
  soundOn = on;
  store.set(SOUND_KEY, on ? 'on' : 'off');
  if (on) {
    unlockAudio();
    playSound('on');
  } else {
    soundBlocked = false;
  }
  renderSound();
}

export function renderSound() {
  const blocked = soundOn && soundBlocked;
  el.sound.setAttribute('aria-pressed', soundOn ? 'true' : 'false');
  el.sound.dataset.state = !soundOn ? 'off' : (blocked ? 'blocked' : 'on');
  el.soundText.textContent = !soundOn ? 'Sound off' : (blocked ? 'Sound: click to allow' : 'Sound on');
  el.sound.title = (soundOn ? 'Switch celebration sounds off' : 'Switch celebration sounds on') + ' (M)';
}

/** Sound on or off on this screen, remembered by the browser (the button and the M key). */
export function toggleSound() {
  setSound(!soundOn);
}

/** The screen's sound (screen.js): it holds unless this browser's own choice was made. */
export function setScreenSound(on) {
  if (storedSound() !== null) return;
  soundOn = on;
  renderSound();
}

/** For the test hook. */
export function soundState() {
  return { on: soundOn, blocked: soundOn && soundBlocked, played: soundsPlayed, context: audioCtx ? audioCtx.state : null };
}
