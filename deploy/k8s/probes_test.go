package k8s_test

import (
	"fmt"
	"net"
	"strconv"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"bullpen/internal/app"
	httpapi "bullpen/internal/http"
)

// addrPort is the port of a listen address (host:port or :port), 0 when there is none.
func addrPort(addr string) int32 {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return 0
	}
	n, _ := strconv.ParseInt(port, 10, 32)
	return int32(n)
}

// containerPort resolves a port given by number or by the container's name for it.
func containerPort(c corev1.Container, port intstr.IntOrString) (int32, error) {
	if port.Type == intstr.Int {
		return port.IntVal, nil
	}
	for _, p := range c.Ports {
		if p.Name == port.StrVal {
			return p.ContainerPort, nil
		}
	}
	return 0, fmt.Errorf("no port named %q", port.StrVal)
}

// Each probe asks the route the program serves for it, on the port the program listens on
// (BULLPEN_HTTP_ADDR as the manifest sets it, read by the program's own parser).
func TestProbesAskTheRoutesTheProcessesServe(t *testing.T) {
	for _, p := range daemons(t) {
		want := addrPort(p.cfg.HTTPAddr)
		if !hasPort(p.container, want) {
			t.Errorf("%s: BULLPEN_HTTP_ADDR %q is no containerPort", p, p.cfg.HTTPAddr)
		}
		for _, probe := range []struct {
			kind  string
			probe *corev1.Probe
			path  string
		}{
			{"startupProbe", p.container.StartupProbe, httpapi.HealthPath},
			{"livenessProbe", p.container.LivenessProbe, httpapi.HealthPath},
			{"readinessProbe", p.container.ReadinessProbe, httpapi.ReadyPath},
		} {
			if probe.probe == nil || probe.probe.HTTPGet == nil {
				t.Errorf("%s: no %s by HTTP GET", p, probe.kind)
				continue
			}
			get := probe.probe.HTTPGet
			port, err := containerPort(p.container, get.Port)
			if get.Path != probe.path || err != nil || port != want {
				t.Errorf("%s: %s asks %s on port %d (%v); the process serves %s on %d",
					p, probe.kind, get.Path, port, err, probe.path, want)
			}
		}
	}
}

func hasPort(c corev1.Container, port int32) bool {
	for _, p := range c.Ports {
		if p.ContainerPort == port {
			return true
		}
	}
	return false
}

// Prometheus is told where /metrics is: on BULLPEN_METRICS_ADDR's port when it is set (and then
// not on the public one), else on the HTTP port.
func TestScrapeAnnotationsNameTheMetricsAddress(t *testing.T) {
	for _, p := range daemons(t) {
		want := addrPort(p.cfg.HTTPAddr)
		if p.cfg.MetricsAddr != "" {
			want = addrPort(p.cfg.MetricsAddr)
			if !hasPort(p.container, want) {
				t.Errorf("%s: BULLPEN_METRICS_ADDR %q is no containerPort", p, p.cfg.MetricsAddr)
			}
		}
		a := p.pod.meta.Annotations
		if a["prometheus.io/scrape"] != "true" || a["prometheus.io/path"] != httpapi.MetricsPath ||
			a["prometheus.io/port"] != strconv.Itoa(int(want)) {
			t.Errorf("%s: scrape annotations %v; /metrics is served on port %d", p, a, want)
		}
	}
}

// A pod is killed terminationGracePeriodSeconds after it starts terminating, preStop
// included: the grace must outlast the preStop hook and the process's worst-case stop with the
// shutdown timeout it is configured with.
func TestGracePeriodOutlastsTheStop(t *testing.T) {
	for _, p := range daemons(t) {
		budget := app.ServerStopBudget(p.cfg)
		if p.container.Command[0] == "/consumer" {
			budget = app.ConsumerStopBudget(p.cfg)
		}
		var preStop time.Duration
		if l := p.container.Lifecycle; l != nil && l.PreStop != nil && l.PreStop.Sleep != nil {
			preStop = time.Duration(l.PreStop.Sleep.Seconds) * time.Second
		}
		grace := int64(corev1.DefaultTerminationGracePeriodSeconds)
		if g := p.pod.spec.TerminationGracePeriodSeconds; g != nil {
			grace = *g
		}
		if time.Duration(grace)*time.Second <= preStop+budget {
			t.Errorf("%s: terminationGracePeriodSeconds %d is not above preStop %v + stop %v (BULLPEN_SHUTDOWN_TIMEOUT %v)",
				p, grace, preStop, budget, p.cfg.ShutdownTimeout)
		}
	}
}
