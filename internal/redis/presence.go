package redis

import "context"

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
	return s.rdb.HSet(ctx, s.displaysKey(), fields...).Err()
}

// DeletePresence removes displays' presence.
func (s *Store) DeletePresence(ctx context.Context, fields ...string) error {
	if len(fields) == 0 {
		return nil
	}
	return s.rdb.HDel(ctx, s.displaysKey(), fields...).Err()
}

// Presence reads every display's presence, by field.
func (s *Store) Presence(ctx context.Context) (map[string]string, error) {
	return s.rdb.HGetAll(ctx, s.displaysKey()).Result()
}
