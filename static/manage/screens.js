// Screens (docs/api.md §3 "Screens"): the list, and the form that creates or edits one: its
// slides in order (a contest's board, a team's targets, the spot incentives, the floor feed),
// seconds per slide, money, sound and whose celebrations it shows. Saving an edit changes every
// display bound to the screen at once. Pairing a display with one is screen-pair.js.
import { newKey } from '../shared/api.js';
import { $, h } from '../shared/page.js';
import { busy, clearErrors, ids, numOrNull, showError } from './forms.js';
import { api, contests } from './state.js';
import { renderPairScreens } from './screen-pair.js';
import { confirmAction, setCount, toast } from './ui.js';

/** Screens by id, as the API gave them. */
export const screens = new Map();
let editing = null; // the screen the form edits; null: a new one
let slides = [];    // the form's slides: {kind, id?, team?}

const KIND_TEXT = { contest: 'Contest', targets: 'Team targets', incentives: 'Spot incentives', floor: 'Floor feed' };

export async function loadScreens() {
  try {
    const body = await api('GET', '/screens');
    screens.clear();
    for (const s of body.items || []) screens.set(s.id, s);
    renderScreens();
  } catch (err) {
    if (err.status !== 401) toast(`Could not read the screens: ${err.message}`, 'err');
  }
}

/** The teams the directory knows, offered for targets slides and celebrations. */
async function loadTeams() {
  try {
    const body = await api('GET', '/reps?limit=500');
    const teams = [...new Set((body.items || []).map((r) => r.team_id).filter(Boolean))].sort();
    $('sc-team-list').replaceChildren(...teams.map((t) => h('option', { value: t })));
  } catch { /* the inputs take any team */ }
}

const slideText = (s) => {
  if (s.kind === 'contest') return (contests.get(s.id) || {}).name || s.id;
  if (s.kind === 'targets') return `Team ${s.team}`;
  return KIND_TEXT[s.kind] || s.kind;
};

function renderScreens() {
  const rows = [...screens.values()].map((s) => h('li', { class: 'screen-item', 'data-screen': s.id },
    h('div', { class: 'screen-main' },
      h('strong', { text: s.name }),
      h('p', { class: 'muted small', text: `${s.slides.length} slide${s.slides.length === 1 ? '' : 's'} · ${s.seconds} s each` +
        `${s.amounts === 'hide' ? ' · money hidden' : ''}${s.sound === 'off' ? ' · silent' : ''}` +
        `${s.celebrate_teams.length ? ' · celebrates ' + s.celebrate_teams.join(', ') : ''} · version ${s.version}` }),
      h('ol', { class: 'screen-slides' }, s.slides.map((sl) => h('li', {},
        h('span', { class: 'slide-kind', text: KIND_TEXT[sl.kind] || sl.kind }), sl.kind === 'contest' || sl.kind === 'targets' ? ' ' + slideText(sl) : '')))),
    h('div', { class: 'screen-actions' },
      h('button', { type: 'button', class: 'btn btn-small', text: 'Edit', 'aria-label': `Edit ${s.name}`, onclick: () => edit(s) }),
      h('button', { type: 'button', class: 'btn btn-small btn-danger', text: 'Delete', 'aria-label': `Delete ${s.name}`, onclick: (ev) => busy(ev.currentTarget, () => remove(s)) }))));
  $('screen-rows').replaceChildren(...rows);
  $('screens-empty').hidden = rows.length > 0;
  setCount('count-screens', screens.size, 'screens');
  renderPairScreens();
}

/** The form's slides, each a row: its kind, what it shows, and buttons to move or drop it. */
function renderSlides() {
  const contestOptions = () => [...contests.values()].filter((c) => c.status !== 'cancelled')
    .map((c) => h('option', { value: c.id, text: c.name }));
  const rows = slides.map((s, i) => {
    let pick = null;
    if (s.kind === 'contest') {
      pick = h('select', { 'aria-label': `Slide ${i + 1}: contest`, onchange: (ev) => { s.id = ev.target.value; } }, contestOptions());
      if (s.id && !contests.has(s.id)) pick.append(h('option', { value: s.id, text: s.id }));
      pick.value = s.id || '';
      if (!s.id && pick.options.length) s.id = pick.value;
    } else if (s.kind === 'targets') {
      pick = h('input', { type: 'text', list: 'sc-team-list', value: s.team || '', placeholder: 'team id', 'aria-label': `Slide ${i + 1}: team`,
        autocomplete: 'off', spellcheck: 'false', oninput: (ev) => { s.team = ev.target.value.trim(); } });
    }
    return h('li', { class: 'slide-row', 'data-field': `slides.${i}`, 'data-error-box': '' },
      h('span', { class: 'slide-kind', text: KIND_TEXT[s.kind] }),
      pick ? h('span', { 'data-field': `slides.${i}.${s.kind === 'contest' ? 'id' : 'team'}` }, pick) : h('span', { class: 'muted small', text: s.kind === 'floor' ? 'latest deals and wins' : 'open now' }),
      h('button', { type: 'button', class: 'btn btn-quiet btn-small', text: '↑', 'aria-label': `Move slide ${i + 1} up`, disabled: i === 0, onclick: () => move(i, -1) }),
      h('button', { type: 'button', class: 'btn btn-quiet btn-small', text: '✕', 'aria-label': `Remove slide ${i + 1}`, onclick: () => { slides.splice(i, 1); renderSlides(); } }));
  });
  $('sc-slides').replaceChildren(...rows);
}

function move(i, by) {
  const j = i + by;
  if (j < 0 || j >= slides.length) return;
  [slides[i], slides[j]] = [slides[j], slides[i]];
  renderSlides();
}

function setForm(s) {
  editing = s;
  clearErrors($('screen-form'));
  slides = s ? s.slides.map((x) => ({ ...x })) : [];
  $('sc-name').value = s ? s.name : '';
  $('sc-seconds').value = s ? String(s.seconds) : '15';
  $('sc-teams').value = s ? s.celebrate_teams.join(', ') : '';
  $('sc-hide').checked = !!s && s.amounts === 'hide';
  $('sc-sound').checked = !s || s.sound !== 'off';
  $('screen-form-h').textContent = s ? `Edit "${s.name}"` : 'New screen';
  $('screen-submit').textContent = s ? 'Save screen' : 'Create screen';
  $('screen-new').hidden = !s;
  renderSlides();
}

function edit(s) {
  setForm(s);
  $('sc-name').focus();
}

async function remove(s) {
  if (!await confirmAction(`Delete "${s.name}"?`, 'Its displays keep their tokens but fall back to their own link (or show nothing). This cannot be undone.', 'Delete screen')) return;
  try {
    await api('DELETE', '/screens/' + encodeURIComponent(s.id));
    toast(`Screen "${s.name}" deleted.`);
    if (editing && editing.id === s.id) setForm(null);
    await loadScreens();
  } catch (err) {
    toast(err.message, 'err');
  }
}

async function save(form) {
  const body = {
    name: $('sc-name').value,
    slides: slides.map((s) => (s.kind === 'contest' ? { kind: s.kind, id: s.id || '' } : s.kind === 'targets' ? { kind: s.kind, team: s.team || '' } : { kind: s.kind })),
    seconds: numOrNull($('sc-seconds').value) ?? 15,
    amounts: $('sc-hide').checked ? 'hide' : 'show',
    sound: $('sc-sound').checked ? 'on' : 'off',
    celebrate_teams: ids($('sc-teams').value),
  };
  try {
    let s;
    if (editing) {
      s = await api('PUT', '/screens/' + encodeURIComponent(editing.id), { ...body, version: editing.version });
      toast(`Screen "${s.name}" saved: its displays change now.`);
    } else {
      s = await api('POST', '/screens', body, { key: newKey('screen') });
      toast(`Screen "${s.name}" created.`);
    }
    screens.set(s.id, s);
    setForm(s);
    renderScreens();
  } catch (err) {
    showError(form, err, editing ? 'Not saved' : 'Not created');
  }
}

/** Shows the section: the screens and the teams read again. */
export function showScreens() {
  loadScreens();
  loadTeams();
  renderSlides(); // the contests may have come since
}

/** For the test hook. */
export const screensState = () => ({
  screens: [...screens.values()].map((s) => ({ id: s.id, name: s.name, version: s.version, slides: s.slides })),
  editing: editing ? editing.id : null,
});

export function wireScreens() {
  const form = $('screen-form');
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    busy($('screen-submit'), () => save(form));
  });
  $('sc-add').addEventListener('click', () => {
    slides.push({ kind: $('sc-add-kind').value });
    renderSlides();
  });
  $('screen-new').addEventListener('click', () => setForm(null));
  $('screens-refresh').addEventListener('click', (ev) => busy(ev.currentTarget, loadScreens));
  setForm(null);
}
