package redis

import (
	"context"
	"fmt"
)

// Presence of the wall displays: one hash, a field per display socket of any node
// ("node:socket"), its value what GET /displays shows of it, so every node lists them all.
func (s *Store) displaysKey() string { return s.prefix + ":displays" }

// SetPresence writes displays' presence, field by field, in one command.
func (s *Store) SetPresence(ctx context.Context, entries map[string][]byte) error {
	if len(entries) == 0 {
		return nil
	}
	fields := make([]any, 0, 2*len(entries))
	for f, v := range entries {
		fields = append(fields, f, v)
	}
	if err := s.rdb.HSet(ctx, s.displaysKey(), fields...).Err(); err != nil {
		return fmt.Errorf("redis: set presence: %w", err)
	}
	return nil
}

// DeletePresence removes displays' presence.
func (s *Store) DeletePresence(ctx context.Context, fields ...string) error {
	if len(fields) == 0 {
		return nil
	}
	if err := s.rdb.HDel(ctx, s.displaysKey(), fields...).Err(); err != nil {
		return fmt.Errorf("redis: delete presence: %w", err)
	}
	return nil
}

// Presence reads every display's presence, by field.
func (s *Store) Presence(ctx context.Context) (map[string]string, error) {
	entries, err := s.rdb.HGetAll(ctx, s.displaysKey()).Result()
	if err != nil {
		return entries, fmt.Errorf("redis: read presence: %w", err)
	}
	return entries, nil
}
