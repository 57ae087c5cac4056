// The window objects the browser tests read a page through (window.bullpenDisplay,
// window.bullpenMe, window.bullpenManage): plain data only, so a test sees what the page
// shows and never holds on to its live objects.

/** A deep copy as JSON has it (undefined: null). */
export const plain = (v) => JSON.parse(JSON.stringify(v === undefined ? null : v));

/** Sets window[name] to hook, with what its state() returns copied as plain data. */
export function exposeTestHook(name, hook) {
  const exposed = { ...hook };
  if (hook.state) exposed.state = () => plain(hook.state());
  window[name] = exposed;
}
