package http

import (
	"bufio"
	"context"
	"errors"
	"net"
	"time"

	"github.com/gofiber/fiber/v2"

	"bullpen/internal/bullpen"
	"bullpen/internal/export"
)

const (
	// maxExports bounds the exports one server streams at once: each holds a PostgreSQL pool
	// connection from its first row to its last.
	maxExports = 2
	// exportTimeout bounds a whole export (the request timeout is for requests that answer at
	// once; an export answers for as long as its rows take).
	exportTimeout = 10 * time.Minute
	// exportStall is how long a client may take to accept the next block of an export before it
	// is taken for gone and the export stops.
	exportStall = 30 * time.Second
	// exportBlock is how much of an export is handed to the connection at a time.
	exportBlock = 64 << 10
)

// errClientGone marks a write the client did not take.
var errClientGone = errors.New("the client stopped reading the export")

// streamCSV answers with a CSV file named name, streaming the rows that rows writes as they come:
// the status and headers go out first, so every check that can refuse the request must come
// before. A failure after the first row cannot change the status any more, so the connection is
// closed without the final chunk, and the client sees a cut transfer, never a short file that
// looks whole.
func (s *Server) streamCSV(c *fiber.Ctx, name string, columns []string, rows func(context.Context, *export.Writer) error) error {
	select {
	case s.exportSlots <- struct{}{}:
	default:
		c.Set(fiber.HeaderRetryAfter, "5")
		return bullpen.Errorf(bullpen.ERateLimited, "%d exports are already running on this server; retry in a few seconds", maxExports)
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	conn := c.Context().Conn() // the Fiber context is recycled once the handler returns
	log := s.Logger.With("export", name)
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		defer func() { <-s.exportSlots }()
		ctx, cancel := context.WithTimeout(context.Background(), exportTimeout)
		defer cancel()
		out := bufio.NewWriterSize(&stallWriter{w: w, conn: conn, cancel: cancel}, exportBlock)
		cw := export.NewWriter(out)
		start := time.Now()
		err := cw.Header(columns)
		if err == nil {
			err = rows(ctx, cw)
		}
		if err == nil {
			err = out.Flush()
		}
		switch {
		case err == nil:
			log.Info("export sent", "rows", cw.Rows(), "took", time.Since(start))
		case errors.Is(err, errClientGone):
			log.Warn("export stopped: the client went away", "rows", cw.Rows(), "err", err)
		default:
			log.Error("export failed after it started; cutting the transfer", "rows", cw.Rows(), "err", err)
			_ = conn.Close()
		}
	})
	return nil
}

// stallWriter hands an export's blocks to the response, giving the connection a fresh write
// deadline for each (the server's write timeout counts from the start of the response), and
// stops the export's query at once when the client is gone.
type stallWriter struct {
	w      *bufio.Writer
	conn   net.Conn
	cancel context.CancelFunc
}

func (sw *stallWriter) Write(p []byte) (int, error) {
	_ = sw.conn.SetWriteDeadline(time.Now().Add(exportStall))
	n, err := sw.w.Write(p)
	if err == nil {
		err = sw.w.Flush()
	}
	if err != nil {
		// Cancelled before the query's rows are closed, so pgx stops the query instead of
		// reading the rest of it.
		sw.cancel()
		return n, errors.Join(errClientGone, err)
	}
	return n, nil
}
