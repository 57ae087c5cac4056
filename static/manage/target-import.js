// Importing targets (PUT /targets): a CSV file or a JSON array, chosen or pasted, sent with the
// Content-Type its text says. The server takes all the rows or none, so a refused import shows
// the server's own words (they name the CSV line and column, or the JSON row and field) and
// nothing has changed.
import { ApiError } from '../shared/api.js';
import { $ } from '../shared/page.js';
import { busy, clearErrors, showError } from './forms.js';
import { api } from './state.js';
import { loadTargets, showPeriod } from './targets.js';
import { toast } from './ui.js';

/** What PUT /targets is told the text is: a JSON array, or else CSV. */
export const importType = (text) => (/^\s*\[/.test(text) ? 'application/json' : 'text/csv');

const KIND_TEXT = { 'application/json': 'Sent as JSON', 'text/csv': 'Sent as CSV' };

function syncKind() {
  const text = $('ti-text').value;
  $('ti-kind').textContent = text.trim() ? `${KIND_TEXT[importType(text)]}.` : '';
}

/** The error as the server said it, with the row and field it names when its words do not. */
function verbatim(err) {
  const text = err.field && !err.message.includes(err.field) ? `${err.field}: ${err.message}` : err.message;
  return new ApiError(err.status, err.code, text);
}

async function submit(ev) {
  ev.preventDefault();
  const form = $('target-import-form');
  clearErrors(form);
  const text = $('ti-text').value;
  if (!text.trim()) {
    showError(form, new ApiError(0, 'invalid_argument', 'Choose a file or paste the rows first.', 'text'), 'Nothing imported');
    return;
  }
  await busy($('ti-submit'), async () => {
    let out;
    try {
      out = await api('PUT', '/targets', text, { type: importType(text) });
    } catch (err) {
      showError(form, verbatim(err), 'Nothing was imported');
      return;
    }
    const n = out.items.length;
    toast(`Imported ${n} ${n === 1 ? 'target' : 'targets'}: ${out.created} new, ${out.updated} changed, ${out.unchanged} as they were.`);
    $('ti-text').value = '';
    $('ti-file').value = '';
    syncKind();
    // Show what was imported: the period of its first row, unless the list shows one of them.
    const periods = new Set(out.items.map((t) => t.period));
    const current = $('target-period-form').elements.kind.value === 'quarter' ? $('tp-quarter').value : $('tp-month').value;
    if (n && !periods.has(current)) await showPeriod(out.items[0].period);
    else await loadTargets();
  });
}

async function readFile() {
  const file = $('ti-file').files[0];
  if (!file) return;
  clearErrors($('target-import-form'));
  $('ti-text').value = await file.text();
  syncKind();
}

export function wireTargetImport() {
  $('target-import-form').addEventListener('submit', submit);
  $('ti-file').addEventListener('change', readFile);
  $('ti-text').addEventListener('input', syncKind);
}
