// Pairing a display by code (docs/api.md §3 "Pairing a display"): the code the TV shows, the
// screen it will show and its name; the display picks up its token on its next poll.
import { $, h } from '../shared/page.js';
import { busy, clearErrors, showError } from './forms.js';
import { api } from './state.js';
import { screens } from './screens.js';
import { toast } from './ui.js';

let lastPaired = null;

/** The screens to pair with, kept in step with the list. */
export function renderPairScreens() {
  const pick = $('pair-screen');
  const was = pick.value;
  pick.replaceChildren(...[...screens.values()].map((s) => h('option', { value: s.id, text: s.name })));
  if (was && screens.has(was)) pick.value = was;
}

async function pair(form) {
  $('pair-done').hidden = true;
  try {
    const p = await api('POST', '/pairings/claim', { code: $('pair-code').value, screen_id: $('pair-screen').value, name: $('pair-name').value });
    lastPaired = p;
    clearErrors(form);
    const screen = screens.get(p.screen_id);
    $('pair-done').hidden = false;
    $('pair-done').textContent = `Paired: "${p.name}" shows "${screen ? screen.name : p.screen_id}" within a few seconds.`;
    toast(`Display "${p.name}" paired.`);
    $('pair-code').value = '';
    $('pair-name').value = '';
  } catch (err) {
    showError(form, err, 'Not paired');
  }
}

/** For the test hook. */
export const pairedState = () => lastPaired;

export function wirePairing() {
  const form = $('pair-form');
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    busy($('pair-submit'), () => pair(form));
  });
}
