package http

// TouchWait is touchWait, for the external tests.
const TouchWait = touchWait
