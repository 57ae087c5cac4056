// QR codes for the pairing and sign-in links, drawn from the vendored encoder
// (static/vendor/qrcode.js, MIT, a classic script that sets window.qrcode).
import { h } from '../shared/page.js';

/** Draws text as a QR code: an SVG of one path, crisp at any size, with a text alternative. */
export function renderQR(box, text, alt) {
  box.replaceChildren();
  if (!text) return;
  if (typeof window.qrcode !== 'function') {
    box.append(h('p', { class: 'muted small', text: 'The QR encoder did not load: copy the link instead.' }));
    return;
  }
  let qr;
  try {
    qr = window.qrcode(0, 'M');
    qr.addData(text);
    qr.make();
  } catch {
    box.append(h('p', { class: 'muted small', text: 'The link is too long for a QR code (fewer contests?): copy it instead.' }));
    return;
  }
  const n = qr.getModuleCount();
  const quiet = 4;
  const size = n + quiet * 2;
  let d = '';
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      if (qr.isDark(r, c)) d += `M${c + quiet} ${r + quiet}h1v1h-1z`;
    }
  }
  const NS = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', `0 0 ${size} ${size}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', alt);
  svg.setAttribute('shape-rendering', 'crispEdges');
  svg.setAttribute('class', 'qr-svg');
  svg.dataset.modules = String(n);
  const title = document.createElementNS(NS, 'title');
  title.textContent = alt;
  const bg = document.createElementNS(NS, 'rect');
  bg.setAttribute('width', String(size));
  bg.setAttribute('height', String(size));
  bg.setAttribute('fill', '#ffffff');
  const path = document.createElementNS(NS, 'path');
  path.setAttribute('d', d);
  path.setAttribute('fill', '#000000');
  svg.append(title, bg, path);
  box.append(svg);
}
