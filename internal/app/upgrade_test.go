package app_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"bullpen/internal/testenv"
)

const migrationsDir = "internal/postgres/migrations"

// A rolling update and a rollback, with the real programs: the previous release (the last
// commit whose migrations stop one short of this tree's) runs on the schema this tree migrated,
// its consumer beside this one in one group and its server answering the API, and every event
// counts once. The schema range (internal/postgres/schemarange.go) allows it; the expand-only
// rule (TestMigrationsOnlyExpand) keeps it true, and this test shows it does.
func TestThePreviousReleaseRunsOnTheNextSchema(t *testing.T) {
	t.Parallel()
	root, prev := previousRelease(t)
	bin := buildAt(t, root, prev)
	cfg := testenv.Config(t) // migrated by this tree: one migration past the previous release
	db, store := openDB(t, cfg), openStore(t, cfg)
	rev, team, pts := threeContests(t, db)
	f := newFlow(3000)

	addr := testenv.FreeAddr(t)
	base := "http://" + addr
	oldMigrate := exec.Command(filepath.Join(bin, "server"), "migrate")
	oldMigrate.Env = environ(cfg)
	if out, err := oldMigrate.CombinedOutput(); err != nil { // a rollback runs its migrate job again
		t.Fatalf("the previous release's migrate on the next schema: %v\n%s", err, out)
	}
	startProcess(t, filepath.Join(bin, "server"), append(environ(cfg), "BULLPEN_HTTP_ADDR="+addr))
	startProcess(t, filepath.Join(bin, "consumer"), environ(cfg))
	waitReady(t, base, 60*time.Second)

	produce(t, cfg, f.msgs[:len(f.msgs)/2]...)
	startConsumer(t, cfg) // this release joins the group mid-stream, as in a rolling update
	produce(t, cfg, f.msgs[len(f.msgs)/2:]...)
	testenv.Eventually(t, 120*time.Second, "every event", func() bool { return eventCount(t, db) == f.unique })

	f.checkBoards(t, db, store, rev, team, pts)
	testenv.Eventually(t, 20*time.Second, "the leaderboard from the previous release's server", func() bool {
		code, got := apiScores(t, base, rev.ID, cfg.AdminToken)
		return code == 200 && sameScores(f.revenue, got) == nil
	})
	t.Logf("previous release %s ran on the next schema beside this tree: %d events, every board exact", prev[:12], f.unique)
}

// previousRelease finds the repository and the newest first-parent commit (HEAD included, for
// a migration not yet committed) whose migrations are this tree's less the newest. It skips,
// saying why, outside a git checkout or when that commit predates the schema range (012).
func previousRelease(t *testing.T) (root, commit string) {
	t.Helper()
	git := func(args ...string) (string, error) {
		out, err := exec.Command("git", args...).Output()
		return strings.TrimSpace(string(out)), err
	}
	root, err := git("rev-parse", "--show-toplevel")
	if err != nil {
		t.Skip("not a git checkout: the previous release cannot be built")
	}
	files, err := filepath.Glob(filepath.Join(root, migrationsDir, "*.sql"))
	if err != nil || len(files) == 0 {
		t.Fatalf("migrations in %s: %v", root, err)
	}
	count := func(c string) int {
		out, err := git("-C", root, "ls-tree", "--name-only", c+":"+migrationsDir)
		if err != nil {
			return -1
		}
		return strings.Count(out+"\n", ".sql\n")
	}
	touched, err := git("-C", root, "log", "--first-parent", "--format=%H", "-n", "200", "--", migrationsDir)
	if err != nil {
		t.Fatalf("git log: %v", err)
	}
	candidates := []string{"HEAD"}
	for _, c := range strings.Fields(touched) {
		candidates = append(candidates, c+"^1")
	}
	for _, c := range candidates {
		if count(c) != len(files)-1 {
			continue
		}
		if commit, err = git("-C", root, "rev-parse", c); err != nil {
			t.Fatal(err)
		}
		if _, err := git("-C", root, "cat-file", "-e", commit+":"+migrationsDir+"/012_schema_floor.sql"); err != nil {
			t.Skipf("the previous release %s predates the schema range (migration 012) and refuses any newer schema: nothing to show until a release after it", commit[:12])
		}
		return root, commit
	}
	t.Skipf("no commit on the first-parent history has %d migrations", len(files)-1)
	return "", ""
}

// buildAt builds the server and the consumer of commit into a directory of the test's.
func buildAt(t *testing.T, root, commit string) string {
	t.Helper()
	src := t.TempDir()
	archive := exec.Command("sh", "-c", fmt.Sprintf("git -C %q archive %s | tar -x -C %q", root, commit, src))
	if out, err := archive.CombinedOutput(); err != nil {
		t.Fatalf("git archive %s: %v\n%s", commit, err, out)
	}
	bin := filepath.Join(src, "bin")
	for _, cmd := range []string{"server", "consumer"} {
		build := exec.Command("go", "build", "-o", filepath.Join(bin, cmd), "./cmd/"+cmd)
		build.Dir = src
		build.Env = append(os.Environ(), "GOFLAGS=-mod=readonly")
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("build the previous release's %s: %v\n%s", cmd, err, out)
		}
	}
	return bin
}
