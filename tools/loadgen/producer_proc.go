package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"bullpen/internal/config"
	"bullpen/tools/internal/child"
)

// The producer child (`loadgen -role producer`) writes the events, configured from the
// environment (the topic and brokers as bin/consumer reads them, LOADGEN_RATE,
// LOADGEN_WON_RATE, LOADGEN_REPS), and answers the parent on stdin/stdout, one line each:
// "stats" is answered with its producerStats as JSON, "reset" too, and then starts its
// acknowledgement percentiles afresh. It stops on SIGTERM or when stdin closes.

// producerStats are the producer child's counters.
type producerStats struct {
	Produced, Won, LateTicks int64
	AckP50ms, AckP99ms       float64
	Err                      string `json:",omitempty"`
}

func runProducer(ctx context.Context, cfg config.Config) int {
	num := func(name string) int {
		n, err := strconv.Atoi(os.Getenv(name))
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
			os.Exit(2)
		}
		return n
	}
	rate := num("LOADGEN_RATE")
	// kafka-go allocates a batch of BatchSize messages up front: 10,000 cost this process 0.3
	// cores of zeroing at 100 writes a second. Twice a 10 ms tick's events is room enough.
	p := &producer{w: &kafkago.Writer{Addr: kafkago.TCP(cfg.KafkaBrokers...), Topic: cfg.KafkaTopic, Balancer: &kafkago.Hash{},
		BatchSize: max(64, rate/50), BatchTimeout: time.Millisecond, RequiredAcks: kafkago.RequireOne},
		rate: rate, wonRate: num("LOADGEN_WON_RATE"), reps: num("LOADGEN_REPS"), teams: 20,
		deals: map[int][]string{}, rng: newRand()}
	defer func() { _ = p.w.Close() }()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go p.run(ctx)
	lines := stdinLines()
	enc := json.NewEncoder(os.Stdout)
	for {
		select {
		case <-ctx.Done():
			return 0
		case cmd, ok := <-lines:
			if !ok {
				return 0
			}
			st := producerStats{Produced: p.produced.Load(), Won: p.won.Load(), LateTicks: p.lateTicks.Load(),
				AckP50ms: p.acked.pct(50), AckP99ms: p.acked.pct(99)}
			if err, _ := p.writeErr.Load().(error); err != nil {
				st.Err = err.Error()
			}
			if cmd == "reset" {
				p.acked.reset()
			}
			if err := enc.Encode(st); err != nil {
				return 1
			}
		}
	}
}

// stdinLines delivers the lines of stdin, then closes.
func stdinLines() <-chan string {
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(os.Stdin)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	return lines
}

// childProc is the parent's handle on a child that answers commands on stdin with one JSON
// line on stdout (the producer, the probes).
type childProc struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Scanner
	mu  sync.Mutex
}

func startCommanded(role string, env []string, logFile string) (*childProc, error) {
	cmd, log, err := childCommand(role, env, logFile)
	if err != nil {
		return nil, err
	}
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, errors.Join(err, log.Close())
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, errors.Join(err, log.Close())
	}
	if err := cmd.Start(); err != nil {
		return nil, errors.Join(err, log.Close())
	}
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	return &childProc{cmd: cmd, in: in, out: sc}, nil
}

// ask sends a command and decodes the answer into v.
func (p *childProc) ask(cmd string, v any) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	role := p.cmd.Args[len(p.cmd.Args)-1]
	if _, err := io.WriteString(p.in, cmd+"\n"); err != nil {
		return fmt.Errorf("%s: %w", role, err)
	}
	if !p.out.Scan() {
		return fmt.Errorf("%s stopped: %v", role, p.out.Err())
	}
	if err := json.Unmarshal(p.out.Bytes(), v); err != nil {
		return fmt.Errorf("%s: %w", role, err)
	}
	return nil
}

func (p *childProc) stop() {
	_ = p.in.Close()
	child.Stop(p.cmd)
}
