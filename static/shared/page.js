// What every page's script does to its document: find and build elements, restart an
// animation, keep a value in localStorage when the browser allows it, read the URL fragment.

export const $ = (id) => document.getElementById(id);

/** An element with attributes (on…: listeners, text: its text) and children. */
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

export const reducedMotion = () => window.matchMedia('(prefers-reduced-motion: reduce)').matches;

export function restartClass(node, cls) {
  node.classList.remove(cls);
  void node.offsetWidth; // a new animation, not the one already running
  node.classList.add(cls);
}

/** localStorage, which private modes and policies may switch off: then nothing is kept. */
export const store = {
  get(k) {
    try {
      return localStorage.getItem(k);
    } catch {
      return null;
    }
  },
  set(k, v) {
    try {
      localStorage.setItem(k, v);
    } catch { /* the session lasts as long as the page */ }
  },
  del(k) {
    try {
      localStorage.removeItem(k);
    } catch { /* nothing kept */ }
  },
};

/** The token and other pairing values of a page's URL fragment (never sent to the server). */
export function fragment() {
  return new URLSearchParams(location.hash.replace(/^#/, ''));
}

/** Sets a node's text (touching the DOM only when it changed) and hides it when empty. */
export function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
  node.hidden = !text;
}
