package http

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"bullpen/internal/export"
	"bullpen/internal/testenv"
)

// streamServer serves streamCSV on a real listener at /stream with the given rows, so the tests
// see what a client on the other end of a TCP connection sees.
func streamServer(t *testing.T, rows func(context.Context, *export.Writer) error) (*Server, string) {
	t.Helper()
	s := New(Deps{Logger: testenv.Logger(t)})
	s.app.Get("/stream", func(c *fiber.Ctx) error { return s.streamCSV(c, "test.csv", []string{"n", "text"}, rows) })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = s.app.Listener(ln) }()
	t.Cleanup(func() { _ = s.app.ShutdownWithTimeout(5 * time.Second) })
	return s, "http://" + ln.Addr().String() + "/stream"
}

// endless writes rows until a write fails, then reports that error and whether the export's
// context was cancelled by then.
type endless struct {
	done chan error
}

func (e *endless) rows(ctx context.Context, cw *export.Writer) error {
	for i := int64(0); ; i++ {
		cw.Int(i)
		cw.Text("a row long enough to fill the buffers of the connection quickly, row after row")
		if err := cw.End(); err != nil {
			if ctx.Err() == nil {
				err = fmt.Errorf("the export's context is still live after the client left: %w", err)
			}
			e.done <- err
			return err
		}
	}
}

func TestAnExportStopsAndFreesItsSlotWhenTheClientGoesAway(t *testing.T) {
	e := &endless{done: make(chan error, maxExports+1)}
	s, url := streamServer(t, e.rows)
	// More clients than slots, one after the other: each one's slot is back once it leaves.
	for i := 0; i < maxExports+1; i++ {
		res, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		if res.StatusCode != 200 {
			t.Fatalf("export %d: status %d", i, res.StatusCode)
		}
		if _, err := io.ReadFull(res.Body, make([]byte, 64<<10)); err != nil {
			t.Fatal(err)
		}
		// Closing the body unread closes the connection.
		_ = res.Body.Close()
		select {
		case err := <-e.done:
			if !errors.Is(err, errClientGone) {
				t.Fatalf("export %d stopped with %v, want the client gone", i, err)
			}
		case <-time.After(exportStall + 10*time.Second):
			t.Fatalf("export %d still writing after its client left", i)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(s.exportSlots) != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d export slots still taken", len(s.exportSlots))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestAFailureAfterTheFirstRowCutsTheTransfer(t *testing.T) {
	_, url := streamServer(t, func(_ context.Context, cw *export.Writer) error {
		// Many blocks, so the status and the first rows are usually out before the failure.
		for i := int64(0); i < 200_000; i++ {
			cw.Int(i)
			cw.Text("row")
			if err := cw.End(); err != nil {
				return err
			}
		}
		return errors.New("the database went away")
	})
	res, err := http.Get(url)
	if err != nil {
		// Cut before the status went out (the rows still in the server's buffers): no answer
		// at all, which no client takes for a file either.
		return
	}
	defer func() { _ = res.Body.Close() }()
	if res.StatusCode != 200 {
		t.Fatalf("status %d", res.StatusCode)
	}
	if _, err := io.ReadAll(res.Body); err == nil {
		t.Fatal("a failed export read as a whole file")
	}
}

func TestExportsBeyondTheLimitAreRefusedWhileOthersRun(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{}, maxExports)
	_, url := streamServer(t, func(_ context.Context, cw *export.Writer) error {
		started <- struct{}{}
		<-release
		cw.Int(1)
		cw.Text("done")
		return cw.End()
	})
	type answer struct {
		status int
		body   string
		err    error
	}
	answers := make(chan answer, maxExports)
	for i := 0; i < maxExports; i++ {
		go func() {
			res, err := http.Get(url)
			if err != nil {
				answers <- answer{err: err}
				return
			}
			b, err := io.ReadAll(res.Body)
			_ = res.Body.Close()
			answers <- answer{res.StatusCode, string(b), err}
		}()
	}
	for i := 0; i < maxExports; i++ {
		select {
		case <-started:
		case <-time.After(10 * time.Second):
			t.Fatal("the exports did not start")
		}
	}
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	_ = res.Body.Close()
	if res.StatusCode != 429 || res.Header.Get("Retry-After") != "5" {
		t.Fatalf("a third export: %d %s (Retry-After %q)", res.StatusCode, b, res.Header.Get("Retry-After"))
	}
	close(release)
	for i := 0; i < maxExports; i++ {
		a := <-answers
		if a.err != nil || a.status != 200 || a.body != "n,text\r\n1,done\r\n" {
			t.Fatalf("a running export: %d %q %v", a.status, a.body, a.err)
		}
	}
}
