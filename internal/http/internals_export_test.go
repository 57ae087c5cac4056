package http

// Unexported values the external tests (package http_test) read.

// TouchWait is touchWait, for the external tests.
const TouchWait = touchWait

// BalanceReaders is balanceReaders, for the external tests.
const BalanceReaders = balanceReaders
