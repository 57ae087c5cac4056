package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// The HTTP load is vegeta's (github.com/tsenart/vegeta, `make rush` installs it): this program
// writes its targets files, runs `vegeta attack`, and reads the results back with `vegeta
// report` (the whole attack) and `vegeta encode` (each request, to split the figures by
// endpoint). Response bodies are read to the end and not kept (-max-body=0), on every attack.

// target is one request of a targets file: GET url with the token.
type target struct {
	url, token string
}

func writeTargets(path string, ts []target) error {
	var b bytes.Buffer
	for _, t := range ts {
		fmt.Fprintf(&b, "GET %s\n", t.url)
		if t.token != "" {
			fmt.Fprintf(&b, "Authorization: Bearer %s\n", t.token)
		}
		b.WriteByte('\n')
	}
	return os.WriteFile(path, b.Bytes(), 0o600)
}

// vegeta runs the vegeta binary.
type vegeta struct {
	bin, dir string
}

// attack runs `vegeta attack` on the targets with args and returns the results file.
func (v vegeta) attack(ctx context.Context, name string, ts []target, args ...string) (string, error) {
	tf := filepath.Join(v.dir, name+".targets")
	if err := writeTargets(tf, ts); err != nil {
		return "", err
	}
	out := filepath.Join(v.dir, name+".bin")
	args = append([]string{"attack", "-name", name, "-targets", tf, "-output", out, "-max-body", "0"}, args...)
	cmd := exec.CommandContext(ctx, v.bin, args...) //nolint:gosec // the vegeta binary given
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("vegeta %s: %w: %s", strings.Join(args, " "), err, stderr.String())
	}
	return out, nil
}

// vegetaReport is the part of `vegeta report -type=json` the report shows.
type vegetaReport struct {
	Latencies struct {
		P50  time.Duration `json:"50th"`
		P99  time.Duration `json:"99th"`
		Max  time.Duration `json:"max"`
		Mean time.Duration `json:"mean"`
	} `json:"latencies"`
	Duration    time.Duration  `json:"duration"`
	Requests    uint64         `json:"requests"`
	Rate        float64        `json:"rate"`
	Throughput  float64        `json:"throughput"`
	Success     float64        `json:"success"`
	StatusCodes map[string]int `json:"status_codes"`
	Errors      []string       `json:"errors"`
}

// notOK counts the requests answered other than 200 (vegeta's code 0: no answer at all), and
// the 5xx among them.
func (r vegetaReport) notOK() (notOK, fiveXX int) {
	for code, n := range r.StatusCodes {
		if code != "200" {
			notOK += n
		}
		if len(code) == 3 && code[0] == '5' {
			fiveXX += n
		}
	}
	return notOK, fiveXX
}

func (v vegeta) report(ctx context.Context, results string) (vegetaReport, error) {
	var r vegetaReport
	out, err := exec.CommandContext(ctx, v.bin, "report", "-type=json", results).Output() //nolint:gosec // the vegeta binary given
	if err != nil {
		return r, fmt.Errorf("vegeta report: %w", err)
	}
	return r, json.Unmarshal(out, &r)
}

// endpointStats are one endpoint's requests in an attack, from vegeta's own results.
type endpointStats struct {
	Requests             int
	P50ms, P99ms, MaxMs  float64
	Status               map[int]int
	Errors               int // requests without an HTTP answer (vegeta's error, code 0)
	FiveXX, NonSuccesses int
}

// byEndpoint splits an attack's results by endpoint, with name naming a request's URL's
// endpoint ("" leaves it out).
func (v vegeta) byEndpoint(ctx context.Context, results string, name func(url string) string) (map[string]*endpointStats, error) {
	cmd := exec.CommandContext(ctx, v.bin, "encode", "-to", "json", results) //nolint:gosec // the vegeta binary given
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	lat := map[string][]time.Duration{}
	st := map[string]*endpointStats{}
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var r struct {
			Code    int           `json:"code"`
			Latency time.Duration `json:"latency"`
			URL     string        `json:"url"`
			Error   string        `json:"error"`
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("vegeta encode: %w", err)
		}
		ep := name(r.URL)
		if ep == "" {
			continue
		}
		s := st[ep]
		if s == nil {
			s = &endpointStats{Status: map[int]int{}}
			st[ep] = s
		}
		s.Requests++
		s.Status[r.Code]++
		switch {
		case r.Code == 0:
			s.Errors++
			s.NonSuccesses++
		case r.Code >= 500:
			s.FiveXX++
			s.NonSuccesses++
		case r.Code >= 300:
			s.NonSuccesses++
		}
		lat[ep] = append(lat[ep], r.Latency)
	}
	if err := cmd.Wait(); err != nil {
		return nil, fmt.Errorf("vegeta encode: %w", err)
	}
	for ep, ls := range lat {
		st[ep].P50ms, st[ep].P99ms, st[ep].MaxMs = pct(ls, 50), pct(ls, 99), pct(ls, 100)
	}
	return st, nil
}

// findVegeta is the binary given, else vegeta on PATH, else in GOBIN or GOPATH/bin.
func findVegeta(given string) (string, error) {
	if given != "" {
		return given, nil
	}
	if p, err := exec.LookPath("vegeta"); err == nil {
		return p, nil
	}
	var dirs []string
	if gobin := os.Getenv("GOBIN"); gobin != "" {
		dirs = append(dirs, gobin)
	}
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		for d := range strings.SplitSeq(strings.TrimSpace(string(out)), string(os.PathListSeparator)) {
			dirs = append(dirs, filepath.Join(d, "bin"))
		}
	}
	for _, d := range slices.Compact(dirs) {
		p := filepath.Join(d, "vegeta")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("no vegeta binary: go install github.com/tsenart/vegeta/v12@v12.13.0 (or make rush), or give -vegeta")
}
