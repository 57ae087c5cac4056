package app_test

import (
	"context"
	"errors"
	"net"
	"net/url"
	"strings"
	"testing"

	"bullpen/internal/app"
	"bullpen/internal/postgres"
	"bullpen/internal/testenv"
)

func TestProcessesRefuseAnOlderSchema(t *testing.T) {
	t.Parallel()
	cfg := testenv.Config(t)
	// Point at a schema with no migrations applied.
	db := openDB(t, cfg)
	name := testenv.Name("old_")
	if _, err := db.Pool.Exec(context.Background(), `CREATE SCHEMA `+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = db.Pool.Exec(context.Background(), `DROP SCHEMA `+name+` CASCADE`) })
	u, _ := url.Parse(cfg.DatabaseURL)
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	cfg.DatabaseURL = u.String()

	err := app.RunConsumer(context.Background(), cfg, app.Logger("error"), nil)
	if !errors.Is(err, postgres.ErrOldSchema) {
		t.Fatalf("consumer on an old schema: %v", err)
	}
	ln, lerr := net.Listen("tcp", "127.0.0.1:0")
	if lerr != nil {
		t.Fatal(lerr)
	}
	defer func() { _ = ln.Close() }()
	err = app.RunServer(context.Background(), cfg, ln, app.Logger("error"))
	if !errors.Is(err, postgres.ErrOldSchema) || !strings.Contains(err.Error(), "migrate") {
		t.Fatalf("server on an old schema: %v", err)
	}
}
