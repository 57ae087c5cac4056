package http

import (
	"errors"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"bullpen/internal/build"
)

// metrics has its own registry, so that several servers (tests) can live in one process.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	// unchecked counts requests let through because the rate limiter did not answer.
	unchecked prometheus.Counter
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bullpen_http_requests_total",
			Help: "HTTP requests by method, route pattern and status.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "bullpen_http_request_duration_seconds",
			Help:    "HTTP request duration by method, route pattern and status.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"method", "route", "status"}),
		unchecked: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "bullpen_rate_limit_unchecked_total",
			Help: "Requests let through without a rate limit check because the limiter (Redis) did not answer.",
		}),
	}
	m.reg.MustRegister(m.requests, m.duration, m.unchecked, build.Metric(),
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) handler() fiber.Handler {
	return adaptor.HTTPHandler(promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}))
}

// Registry lets the rest of the server (sockets) register its own metrics.
func (s *Server) Registry() *prometheus.Registry { return s.metrics.reg }

// observe counts, times and logs every request. It renders errors itself, so that it sees the
// final status; the route label is the pattern, never the raw path, to bound its cardinality.
func (s *Server) observe(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	route := c.Route().Path
	if err != nil {
		var fe *fiber.Error
		if errors.As(err, &fe) && (fe.Code == fiber.StatusNotFound || fe.Code == fiber.StatusMethodNotAllowed) {
			route = "unmatched"
		}
		if herr := s.handleError(c, err); herr != nil {
			return herr
		}
	}
	status := c.Response().StatusCode()
	elapsed := time.Since(start)
	code := strconv.Itoa(status)
	s.metrics.requests.WithLabelValues(c.Method(), route, code).Inc()
	s.metrics.duration.WithLabelValues(c.Method(), route, code).Observe(elapsed.Seconds())
	s.Logger.Debug("request", "method", c.Method(), "route", route, "status", status,
		"duration_ms", float64(elapsed.Microseconds())/1000, "token_id", tokenIDOf(c))
	return nil
}
