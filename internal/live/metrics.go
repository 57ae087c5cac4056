package live

import "github.com/prometheus/client_golang/prometheus"

type metrics struct {
	open       prometheus.Gauge
	channels   prometheus.Gauge
	messages   prometheus.Counter
	frames     prometheus.Counter
	slowCloses prometheus.Counter
	closes     *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		open: prometheus.NewGauge(prometheus.GaugeOpts{Name: "bullpen_ws_sockets_open", Help: "Open WebSocket connections on this node."}),
		channels: prometheus.NewGauge(prometheus.GaugeOpts{Name: "bullpen_ws_channels",
			Help: "Channels this node is subscribed to in Redis (one per channel watched by a local socket)."}),
		messages: prometheus.NewCounter(prometheus.CounterOpts{Name: "bullpen_ws_messages_sent_total", Help: "Messages written to sockets."}),
		frames:   prometheus.NewCounter(prometheus.CounterOpts{Name: "bullpen_ws_frames_sent_total", Help: "Data frames written to sockets (a frame packs several messages)."}),
		slowCloses: prometheus.NewCounter(prometheus.CounterOpts{Name: "bullpen_ws_slow_closes_total",
			Help: "Sockets closed with 4408 because their queue was full."}),
		closes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "bullpen_ws_closes_total",
			Help: "Closed sockets by close code (network: the connection broke; client: the client closed)."}, []string{"code"}),
	}
	reg.MustRegister(m.open, m.channels, m.messages, m.frames, m.slowCloses, m.closes)
	return m
}
