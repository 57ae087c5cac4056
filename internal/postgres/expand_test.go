package postgres

import (
	"io/fs"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// firstRanged is the first migration of the schema range (012_schema_floor.sql): from it on, a
// program may run on a schema newer than itself, so every later migration must leave the
// previous release working or raise the floor.
const firstRanged = 12

// contracts are statements that can break a program that does not know the migration: it
// reads or writes what they drop, rename or retype; its inserts lack a column they make
// required or trip a rule they add; its ON CONFLICT loses the index it names.
var contracts = []struct {
	what string
	re   *regexp.Regexp
}{
	{"drops something", regexp.MustCompile(`(?is)\bDROP\s+(?:TABLE|VIEW|FUNCTION|TYPE|SCHEMA|SEQUENCE|TRIGGER|COLUMN|CONSTRAINT|DEFAULT)\b`)},
	{"drops a column", regexp.MustCompile(`(?is)\bALTER\s+TABLE\s+(?:ONLY\s+)?[\w."]+\s+DROP\s+(?:IF\s+EXISTS\s+)?"?\w+"?\s*(?:CASCADE|RESTRICT)?\s*[,;]`)},
	{"renames something", regexp.MustCompile(`(?is)\bRENAME\b`)},
	{"changes a column's type", regexp.MustCompile(`(?is)\bALTER\s+(?:COLUMN\s+)?"?\w+"?\s+(?:SET\s+DATA\s+)?TYPE\b`)},
	{"makes a column required", regexp.MustCompile(`(?is)\bSET\s+NOT\s+NULL\b`)},
	{"adds a constraint to a table", regexp.MustCompile(`(?is)\bADD\s+CONSTRAINT\b`)},
}

var (
	addColumn   = regexp.MustCompile(`(?is)\bADD\s+COLUMN\s+(?:IF\s+NOT\s+EXISTS\s+)?"?\w+"?\s`)
	notNull     = regexp.MustCompile(`(?is)\bNOT\s+NULL\b`)
	hasDefault  = regexp.MustCompile(`(?is)\bDEFAULT\b|\bGENERATED\b`)
	dropIndex   = regexp.MustCompile(`(?is)\bDROP\s+INDEX\s+(?:CONCURRENTLY\s+)?(?:IF\s+EXISTS\s+)?"?(\w+)"?`)
	createIndex = regexp.MustCompile(`(?is)\bCREATE\s+(UNIQUE\s+)?INDEX\s+(?:CONCURRENTLY\s+)?(?:IF\s+NOT\s+EXISTS\s+)?"?(\w+)"?\s+ON\s+(?:ONLY\s+)?"?(\w+)"?`)
	createTable = regexp.MustCompile(`(?is)\bCREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?"?(\w+)"?`)
	raiseFloor  = regexp.MustCompile(`(?is)\bUPDATE\s+schema_floor\s+SET\s+oldest_program\s*=\s*(\d+)`)
	lineComment = regexp.MustCompile(`--[^\n]*`)
)

// vouched marks a statement its author has shown to be safe for the previous release although
// it looks like a contraction, in a comment inside or just before it: "-- expand: <why>" (a CHECK
// widened to a value the previous release never writes nor reads, say).
var vouched = regexp.MustCompile(`--[ \t]*expand:[ \t]*\S`)

// contractions lists what in one migration's SQL can break the previous release. A migration
// may contract only if it raises the schema floor (to no more than its own version).
func contractions(version int, sql string) []string {
	var kept []string
	for _, st := range statements(sql) {
		if !vouched.MatchString(st) {
			kept = append(kept, lineComment.ReplaceAllString(st, "")+";")
		}
	}
	sql = strings.Join(kept, "\n")
	if m := raiseFloor.FindStringSubmatch(sql); m != nil {
		if n, _ := strconv.Atoi(m[1]); n <= version {
			return nil
		}
	}
	created := map[string]bool{}
	for _, m := range createTable.FindAllStringSubmatch(sql, -1) {
		created[strings.ToLower(m[1])] = true
	}
	indexes := map[string]bool{}
	var found []string
	for _, m := range createIndex.FindAllStringSubmatch(sql, -1) {
		indexes[strings.ToLower(m[2])] = true
		if m[1] != "" && !created[strings.ToLower(m[3])] {
			found = append(found, "adds a unique index to an existing table ("+m[3]+")")
		}
	}
	for _, c := range contracts {
		if c.re.MatchString(sql) {
			found = append(found, c.what)
		}
	}
	for _, m := range dropIndex.FindAllStringSubmatch(sql, -1) {
		if !indexes[strings.ToLower(m[1])] { // dropped and made again in one migration: a rebuild
			found = append(found, "drops an index ("+m[1]+")")
		}
	}
	for _, loc := range addColumn.FindAllStringIndex(sql, -1) {
		clause := columnClause(sql[loc[1]:])
		if notNull.MatchString(clause) && !hasDefault.MatchString(clause) {
			found = append(found, "adds a required column without a default")
		}
	}
	return found
}

// statements splits SQL at the semicolons outside quotes, dollar quotes and comments; each
// statement keeps the comments before it.
func statements(sql string) []string {
	var out []string
	start, quote := 0, ""
	for i := 0; i < len(sql); i++ {
		switch {
		case quote != "":
			if strings.HasPrefix(sql[i:], quote) {
				i += len(quote) - 1
				quote = ""
			}
		case strings.HasPrefix(sql[i:], "--"):
			quote = "\n"
		case sql[i] == '\'':
			quote = "'"
		case strings.HasPrefix(sql[i:], "$$"):
			quote, i = "$$", i+1
		case sql[i] == ';':
			out = append(out, sql[start:i])
			start = i + 1
		}
	}
	if strings.TrimSpace(lineComment.ReplaceAllString(sql[start:], "")) != "" {
		out = append(out, sql[start:])
	}
	return out
}

// columnClause is a column definition up to the comma or semicolon that ends it, commas inside
// parentheses (numeric(12,2)) included.
func columnClause(s string) string {
	depth := 0
	for i, r := range s {
		switch r {
		case '(':
			depth++
		case ')':
			depth--
		case ',', ';':
			if depth <= 0 {
				return s[:i]
			}
		}
	}
	return s
}

// Every migration from the schema range on only expands, or raises the floor itself.
func TestMigrationsOnlyExpand(t *testing.T) {
	files, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil || len(files) < firstRanged {
		t.Fatalf("migrations: %v, %d files", err, len(files))
	}
	for _, f := range files {
		name := strings.TrimPrefix(f, "migrations/")
		version, err := strconv.Atoi(strings.SplitN(name, "_", 2)[0])
		if err != nil {
			t.Fatalf("%s: no version number", name)
		}
		if version < firstRanged {
			continue
		}
		sql, err := fs.ReadFile(migrations, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range contractions(version, string(sql)) {
			t.Errorf("%s %s, which the previous release may still use: split it into an expand now and a contract a release later that raises schema_floor.oldest_program (docs/upgrading.md)", name, c)
		}
	}
}

// The check itself: what it must catch and what it must let through.
func TestContractionsTellExpandFromContract(t *testing.T) {
	for _, c := range []struct {
		sql      string
		contract bool
	}{
		{`CREATE TABLE webhooks (id uuid PRIMARY KEY, url text NOT NULL);`, false},
		{`CREATE TABLE t (id int); CREATE UNIQUE INDEX t_id ON t (id);`, false},
		{`ALTER TABLE reps ADD COLUMN nickname text;`, false},
		{`ALTER TABLE reps ADD COLUMN tier int NOT NULL DEFAULT 0;`, false},
		{`ALTER TABLE reps ADD COLUMN amount numeric(12,2), ADD COLUMN note text;`, false},
		{`CREATE INDEX CONCURRENTLY reps_team ON reps (team_id);`, false},
		{`DROP INDEX CONCURRENTLY IF EXISTS standings_entrant;
		  CREATE INDEX CONCURRENTLY standings_entrant ON standings (entrant);`, false},
		{`ALTER TABLE reps ALTER COLUMN team_id DROP NOT NULL;`, false},
		{`-- DROP TABLE reps; only a comment
		  ALTER TABLE reps ADD COLUMN x text;`, false},
		{`ALTER TABLE reps DROP COLUMN team_id; UPDATE schema_floor SET oldest_program = 13;`, false},
		{`-- expand: the previous release never writes nor reads 'achievement'
		  ALTER TABLE ledger DROP CONSTRAINT ledger_reason_check,
		      ADD CONSTRAINT ledger_reason_check CHECK (reason IN ('prize', 'achievement'));
		  CREATE TABLE badges (id int);`, false},
		{`CREATE FUNCTION f() RETURNS trigger AS $$ BEGIN DELETE FROM x; RETURN NULL; END $$ LANGUAGE plpgsql;`, false},

		{`DROP TABLE reps;`, true},
		{`ALTER TABLE reps DROP COLUMN team_id;`, true},
		{`ALTER TABLE reps DROP team_id;`, true},
		{`ALTER TABLE reps RENAME COLUMN team_id TO team;`, true},
		{`ALTER TABLE reps ALTER COLUMN name TYPE varchar(80);`, true},
		{`ALTER TABLE reps ALTER name SET DATA TYPE varchar(80);`, true},
		{`ALTER TABLE reps ALTER COLUMN team_id SET NOT NULL;`, true},
		{`ALTER TABLE reps ALTER COLUMN team_id DROP DEFAULT;`, true},
		{`ALTER TABLE reps ADD COLUMN tier int NOT NULL;`, true},
		{`ALTER TABLE reps ADD COLUMN amount numeric(12,2) NOT NULL, ADD COLUMN note text DEFAULT '';`, true},
		{`ALTER TABLE reps ADD CONSTRAINT name_short CHECK (length(name) < 80);`, true},
		{`CREATE UNIQUE INDEX reps_name ON reps (name);`, true},
		{`DROP INDEX standings_entrant;`, true},
		{`ALTER TABLE reps DROP CONSTRAINT reps_pkey;`, true},
		{`ALTER TABLE reps DROP COLUMN team_id; UPDATE schema_floor SET oldest_program = 14;`, true}, // a floor past itself
		{`-- expand: vouches for the next statement only
		  ALTER TABLE ledger ADD COLUMN note text;
		  ALTER TABLE ledger DROP COLUMN reason;`, true},
		{`-- expand:
		  ALTER TABLE ledger DROP COLUMN reason;`, true}, // a reason must be given
		{`CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql; ALTER TABLE reps DROP COLUMN x;`, true},
	} {
		got := contractions(13, c.sql)
		if (len(got) > 0) != c.contract {
			t.Errorf("%q: contractions %q, want contract=%v", c.sql, got, c.contract)
		}
	}
}
