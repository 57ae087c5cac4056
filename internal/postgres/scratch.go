package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
)

// Scratch is a fresh, migrated schema of its own in an existing database, for a test or a
// benchmark run: many can share one server side by side.
type Scratch struct {
	Base string // the database URL it lives in
	Name string // the schema
}

// NewScratch creates and migrates a schema named prefix plus random hex digits.
func NewScratch(ctx context.Context, base, prefix string) (*Scratch, error) {
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	s := &Scratch{Base: base, Name: prefix + hex.EncodeToString(b)}
	admin, err := Open(ctx, base)
	if err != nil {
		return nil, err
	}
	defer admin.Close()
	if _, err := admin.Pool.Exec(ctx, `CREATE SCHEMA `+s.Name); err != nil {
		return nil, fmt.Errorf("create schema: %w", err)
	}
	db, err := Open(ctx, s.URL(""))
	if err != nil {
		return s, err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return s, err
	}
	return s, nil
}

// URL is a database URL that uses the schema; app, if set, names the connections in
// pg_stat_activity.
func (s *Scratch) URL(app string) string {
	u, err := url.Parse(s.Base)
	if err != nil {
		return s.Base
	}
	q := u.Query()
	q.Set("search_path", s.Name)
	if app != "" {
		q.Set("application_name", app)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// Drop removes the schema and everything in it.
func (s *Scratch) Drop(ctx context.Context) error {
	db, err := Open(ctx, s.Base)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Pool.Exec(ctx, `DROP SCHEMA `+s.Name+` CASCADE`); err != nil {
		return fmt.Errorf("drop schema: %w", err)
	}
	return nil
}
