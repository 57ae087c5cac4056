// Command exportbench measures the ledger export (GET /api/v1/exports/ledger.csv): rows per
// second through a real bin/server, and how much the server's resident memory grows while it
// streams them. The goal (docs/benchmarks.md, ## Export) is at least 200,000 rows/s and at most
// 50 MB of growth for 1,000,000 rows.
//
// It fills a fresh schema with the ledger rows (PostgreSQL writes them itself, from
// generate_series), starts bin/server on it, downloads the export once to warm up on a small
// window and once whole, sampling the server's RSS all along, checks that every row arrived,
// then stops the server and drops the schema.
//
//	make build && eval "$(scripts/services.sh up)"
//	bin/exportbench -rows 1000000
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
	"time"

	"bullpen/internal/postgres"
	"bullpen/tools/internal/bench"
	"bullpen/tools/internal/procstat"
)

type options struct {
	rows, reps int
	server     string
	keep       bool
	asJSON     bool
	timeout    time.Duration
}

// result is one run, as -json prints it.
type result struct {
	Rows           int64   `json:"rows"`
	Bytes          int64   `json:"bytes"`
	FillSeconds    float64 `json:"fill_seconds"`
	Seconds        float64 `json:"seconds"`
	FirstByte      float64 `json:"first_byte_seconds"`
	RowsPerSecond  float64 `json:"rows_per_second"`
	RSSBefore      int64   `json:"server_rss_before_bytes"`
	RSSPeak        int64   `json:"server_rss_peak_bytes"`
	RSSGrowth      int64   `json:"server_rss_growth_bytes"`
	ServerCPU      float64 `json:"server_cpu_seconds"`
	MeetsRowsGoal  bool    `json:"meets_rows_goal"`
	MeetsRSSGoal   bool    `json:"meets_rss_goal"`
	LedgerRows     int64   `json:"ledger_rows"`
	ExportComplete bool    `json:"export_complete"`
}

const (
	rowsGoal = 200_000
	rssGoal  = 50 << 20
)

func main() {
	var o options
	flag.IntVar(&o.rows, "rows", 1_000_000, "ledger rows to fill and export")
	flag.IntVar(&o.reps, "reps", 2000, "reps the rows are spread over")
	flag.StringVar(&o.server, "server", "bin/server", "the server binary to start")
	flag.BoolVar(&o.keep, "keep", false, "keep the schema afterwards")
	flag.BoolVar(&o.asJSON, "json", false, "print the result as JSON")
	flag.DurationVar(&o.timeout, "timeout", 20*time.Minute, "give up after this long")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	res, err := run(ctx, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "exportbench:", err)
		os.Exit(1)
	}
	if o.asJSON {
		_ = json.NewEncoder(os.Stdout).Encode(res)
	} else {
		report(os.Stdout, res)
	}
	if !res.ExportComplete {
		os.Exit(1)
	}
}

func run(ctx context.Context, o options) (*result, error) {
	base := os.Getenv("BULLPEN_DATABASE_URL")
	if base == "" || os.Getenv("BULLPEN_REDIS_URL") == "" {
		return nil, errors.New(`BULLPEN_DATABASE_URL and BULLPEN_REDIS_URL are not set: eval "$(scripts/services.sh up)"`)
	}
	sch, err := postgres.NewScratch(ctx, base, "exportbench_")
	if err != nil {
		return nil, err
	}
	if !o.keep {
		defer func() {
			if err := sch.Drop(context.Background()); err != nil {
				fmt.Fprintln(os.Stderr, "exportbench: drop schema:", err)
			}
		}()
	} else {
		fmt.Fprintln(os.Stderr, "exportbench: keeping schema", sch.Name)
	}
	res := &result{}
	start := time.Now()
	if res.LedgerRows, err = fill(ctx, sch.URL("exportbench"), o); err != nil {
		return nil, err
	}
	res.FillSeconds = time.Since(start).Seconds()

	token := secret()
	srv, err := startServer(ctx, o.server, sch.URL("bullpen-server"), token)
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	// A small window first, so what a first request costs (pools, buffers, code paths) is in
	// the baseline and not counted as the export's growth.
	if _, err := download(ctx, srv, token, "from=2020-01-01&to=2020-01-02", nil); err != nil {
		return nil, fmt.Errorf("warm-up: %w", err)
	}
	time.Sleep(500 * time.Millisecond)
	res.RSSBefore = procstat.RSS(srv.pid())
	cpu0, _, _ := procstat.Times(srv.pid())
	peak := &peakRSS{pid: srv.pid(), peak: res.RSSBefore}
	stopSampling := peak.sample(20 * time.Millisecond)
	d, err := download(ctx, srv, token, "from=2000-01-01&to=2100-01-01", res)
	stopSampling()
	if err != nil {
		return nil, err
	}
	cpu1, _, _ := procstat.Times(srv.pid())
	res.Seconds = d.Seconds()
	res.RSSPeak = peak.max()
	res.RSSGrowth = res.RSSPeak - res.RSSBefore
	res.ServerCPU = cpu1 - cpu0
	res.RowsPerSecond = float64(res.Rows) / res.Seconds
	res.ExportComplete = res.Rows == res.LedgerRows
	res.MeetsRowsGoal = res.RowsPerSecond >= rowsGoal
	res.MeetsRSSGoal = res.RSSGrowth <= rssGoal
	return res, nil
}

// fill writes o.reps reps and o.rows ledger rows spread over them and over 2024, notes that
// need quoting or the formula escape now and then, and returns how many rows the ledger holds.
func fill(ctx context.Context, url string, o options) (int64, error) {
	db, err := postgres.Open(ctx, url)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	if _, err := db.Pool.Exec(ctx, `INSERT INTO reps (rep_id, name, team_id)
		SELECT 'rep-' || i, 'Rep ' || i || CASE WHEN i % 10 = 0 THEN ', Jr.' ELSE '' END, 'team-' || (i % 20)
		FROM generate_series(1, $1::int) i`, o.reps); err != nil {
		return 0, fmt.Errorf("fill reps: %w", err)
	}
	if _, err := db.Pool.Exec(ctx, `INSERT INTO ledger (rep_id, points, reason, incentive_id, event_id, deal_id, by, note, created_at)
		SELECT 'rep-' || (i % $2::int + 1), 50 + i % 200, 'incentive', '00000000-0000-0000-0000-000000000001'::uuid,
			'ev-' || i, 'deal-' || i, 'system',
			CASE WHEN i % 50 = 0 THEN '=win "big", deal ' || i ELSE 'first to close $5k+ (deal ' || i || ')' END,
			'2024-01-01T00:00:00Z'::timestamptz + (i * interval '30 seconds')
		FROM generate_series(1, $1::int) i`, o.rows, o.reps); err != nil {
		return 0, fmt.Errorf("fill ledger: %w", err)
	}
	if _, err := db.Pool.Exec(ctx, `ANALYZE ledger; ANALYZE reps`); err != nil {
		return 0, fmt.Errorf("analyze: %w", err)
	}
	var n int64
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM ledger`).Scan(&n); err != nil {
		return 0, err
	}
	return n, nil
}

func secret() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return "exportbench-" + hex.EncodeToString(b)
}

type server struct {
	cmd     *exec.Cmd
	addr    string
	done    chan struct{} // closed once the process has exited, with exitErr set
	exitErr error
}

func (s *server) pid() int { return s.cmd.Process.Pid }

func (s *server) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(15 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

// startServer runs the server binary on the schema, on a free local port, and waits until it
// is ready.
func startServer(ctx context.Context, bin, dbURL, token string) (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "BULLPEN_DATABASE_URL="+dbURL, "BULLPEN_HTTP_ADDR="+addr, "BULLPEN_ADMIN_TOKEN="+token,
		"BULLPEN_REDIS_PREFIX="+bench.Name("exportbench"), "BULLPEN_LOG_LEVEL=warn")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s (make build first): %w", bin, err)
	}
	s := &server{cmd: cmd, addr: addr, done: make(chan struct{})}
	go func() {
		s.exitErr = cmd.Wait()
		close(s.done)
	}()
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			_ = res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		select {
		case <-s.done:
			return nil, fmt.Errorf("the server exited before it was ready: %v", s.exitErr)
		case <-ctx.Done():
			s.stop()
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, errors.New("the server was not ready within 30 s")
		}
	}
}

// download reads the ledger export of a window, counting rows (CRLF line ends: the notes hold
// no CR) and bytes into res when given.
func download(ctx context.Context, s *server, token, window string, res *result) (time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", "http://"+s.addr+"/api/v1/exports/ledger.csv?"+window, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	start := time.Now()
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer func() { _ = r.Body.Close() }()
	if r.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(r.Body)
		return 0, fmt.Errorf("export: %s %s", r.Status, b)
	}
	buf := make([]byte, 256<<10)
	var lines, size int64
	first := time.Duration(0)
	lastCR := false // a CRLF may straddle two reads
	for {
		n, err := r.Body.Read(buf)
		if n > 0 {
			if first == 0 {
				first = time.Since(start)
			}
			if lastCR && buf[0] == '\n' {
				lines++
			}
			lines += int64(bytes.Count(buf[:n], []byte("\r\n")))
			lastCR = buf[n-1] == '\r'
		}
		size += int64(n)
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, fmt.Errorf("export cut after %d bytes: %w", size, err)
		}
	}
	d := time.Since(start)
	if res != nil {
		res.Rows, res.Bytes, res.FirstByte = lines-1, size, first.Seconds()
	}
	return d, nil
}

// peakRSS samples a process's resident memory and keeps the largest.
type peakRSS struct {
	pid  int
	mu   sync.Mutex
	peak int64
}

func (p *peakRSS) sample(every time.Duration) (stop func()) {
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			p.take()
			select {
			case <-done:
				p.take()
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); <-stopped }
}

func (p *peakRSS) take() {
	v := procstat.RSS(p.pid)
	p.mu.Lock()
	p.peak = max(p.peak, v)
	p.mu.Unlock()
}

func (p *peakRSS) max() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.peak
}

func report(w io.Writer, r *result) {
	mb := func(b int64) string { return strconv.FormatFloat(float64(b)/(1<<20), 'f', 1, 64) + " MB" }
	verdict := func(ok bool) string {
		if ok {
			return "meets the goal"
		}
		return "MISSES the goal"
	}
	_, _ = fmt.Fprintf(w, "filled %d ledger rows in %.1f s\n", r.LedgerRows, r.FillSeconds)
	_, _ = fmt.Fprintf(w, "exported %d rows (%s) in %.2f s, first byte after %.3f s: %.0f rows/s (%s of %d)\n",
		r.Rows, mb(r.Bytes), r.Seconds, r.FirstByte, r.RowsPerSecond, verdict(r.MeetsRowsGoal), rowsGoal)
	_, _ = fmt.Fprintf(w, "server RSS %s before, %s at peak: grew %s (%s of %s); server CPU %.2f s\n",
		mb(r.RSSBefore), mb(r.RSSPeak), mb(r.RSSGrowth), verdict(r.MeetsRSSGoal), mb(rssGoal), r.ServerCPU)
	if !r.ExportComplete {
		_, _ = fmt.Fprintf(w, "INCOMPLETE: %d rows exported, the ledger holds %d\n", r.Rows, r.LedgerRows)
	}
}
