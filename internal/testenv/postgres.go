package testenv

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// PrivatePostgres is a PostgreSQL server of one test's own (initdb in a directory of its own,
// on a free port), for fault tests that stop it: the shared instance is never stopped.
type PrivatePostgres struct {
	t    testing.TB
	bin  string
	dir  string
	cred *syscall.Credential
	// URL reaches the server's postgres database; Schema-style scratch schemas go in it.
	URL string
}

// PGBin is the directory of the PostgreSQL programs scripts/services.sh uses: BULLPEN_PG_BIN,
// else the newest /usr/lib/postgresql/*/bin with initdb, pg_ctl and postgres.
func PGBin(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("BULLPEN_PG_BIN"); d != "" {
		return d
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return pgMajor(dirs[i]) > pgMajor(dirs[j]) })
	for _, d := range dirs {
		if isExec(filepath.Join(d, "initdb")) && isExec(filepath.Join(d, "pg_ctl")) && isExec(filepath.Join(d, "postgres")) {
			return d
		}
	}
	t.Fatal("no PostgreSQL programs in /usr/lib/postgresql/*/bin: run scripts/services.sh up")
	return ""
}

func pgMajor(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

func isExec(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode()&0o111 != 0
}

// StartPostgres initializes and starts a private server and waits until it answers. PostgreSQL
// refuses to run as root: as root, it runs as the user scripts/services.sh runs the shared one
// as (BULLPEN_PG_OS_USER, default bullpen).
func StartPostgres(t testing.TB) *PrivatePostgres {
	t.Helper()
	p := &PrivatePostgres{t: t, bin: PGBin(t)}
	// Not t.TempDir: its parents are private to root, and the server's user must reach it.
	dir, err := os.MkdirTemp("", "bullpen-pg-")
	if err != nil {
		t.Fatal(err)
	}
	p.dir = dir
	t.Cleanup(func() {
		p.Stop()
		_ = os.RemoveAll(dir)
	})
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		p.cred = pgCredential(t)
		if err := os.Chown(dir, int(p.cred.Uid), int(p.cred.Gid)); err != nil {
			t.Fatal(err)
		}
	}
	port := freePort(t)
	p.URL = fmt.Sprintf("postgres://bullpen@127.0.0.1:%d/postgres?sslmode=disable", port)
	if out, err := p.command("initdb", "-D", p.data(), "-U", "bullpen", "--auth=trust", "--encoding=UTF8",
		"--no-locale", "--no-sync").CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	conf := strings.Join([]string{
		"listen_addresses = '127.0.0.1'", fmt.Sprintf("port = %d", port),
		fmt.Sprintf("unix_socket_directories = '%s'", dir),
		"max_connections = 100", "shared_buffers = 64MB", "timezone = 'UTC'", "log_timezone = 'UTC'",
		// Durability is what the outage tests check: keep it on.
		"fsync = on", "synchronous_commit = on", "full_page_writes = on",
		"log_min_messages = warning",
	}, "\n") + "\n"
	f, err := os.OpenFile(filepath.Join(p.data(), "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.WriteString(conf)
	_ = f.Close()
	if err != nil {
		t.Fatal(err)
	}
	p.Start()
	return p
}

func pgCredential(t testing.TB) *syscall.Credential {
	t.Helper()
	name := os.Getenv("BULLPEN_PG_OS_USER")
	if name == "" {
		name = "bullpen"
	}
	u, err := user.Lookup(name)
	if err != nil {
		t.Fatalf("PostgreSQL will not run as root and there is no user %q: run scripts/services.sh up (it creates one)", name)
	}
	uid, _ := strconv.ParseUint(u.Uid, 10, 32)
	gid, _ := strconv.ParseUint(u.Gid, 10, 32)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
}

func (p *PrivatePostgres) data() string { return filepath.Join(p.dir, "data") }

func (p *PrivatePostgres) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(p.bin, name), args...)
	cmd.Dir = p.dir
	if p.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: p.cred}
	}
	return cmd
}

// Start starts the server (again) and waits until it takes connections; after Stop it first
// recovers from its write-ahead log, as after a crash.
func (p *PrivatePostgres) Start() {
	p.t.Helper()
	out, err := p.command("pg_ctl", "-D", p.data(), "-l", filepath.Join(p.dir, "postgres.log"), "-w", "-t", "120", "-s", "start").CombinedOutput()
	if err != nil {
		log, _ := os.ReadFile(filepath.Join(p.dir, "postgres.log"))
		p.t.Fatalf("start private postgres: %v\n%s\n%s", err, out, log)
	}
	Eventually(p.t, 60*time.Second, "the private postgres", p.answers)
}

func (p *PrivatePostgres) answers() bool {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, p.URL)
	if err != nil {
		return false
	}
	defer func() { _ = conn.Close(ctx) }()
	return conn.Ping(ctx) == nil
}

// Stop takes the server down at once, the way a crash would (pg_ctl's immediate mode: no
// checkpoint, every connection cut): what was committed must come back from the WAL.
func (p *PrivatePostgres) Stop() {
	if _, err := os.Stat(filepath.Join(p.data(), "postmaster.pid")); err != nil {
		return
	}
	if out, err := p.command("pg_ctl", "-D", p.data(), "-m", "immediate", "-w", "-t", "60", "-s", "stop").CombinedOutput(); err != nil {
		p.t.Logf("stop private postgres: %v\n%s", err, out)
	}
}
