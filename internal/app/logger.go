package app

import (
	"log/slog"
	"os"
)

// Logger returns the JSON logger every process writes to stderr. The configuration has checked
// the level; a name it does not know (a tool's own setting) logs at info.
func Logger(level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: l}))
}
