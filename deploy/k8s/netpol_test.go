package k8s_test

import (
	"net"
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// selecting is the network policies that select the pod.
func (m *manifest) selecting(p pod) []networkingv1.NetworkPolicy {
	var out []networkingv1.NetworkPolicy
	for _, np := range m.policies {
		sel, err := metav1.LabelSelectorAsSelector(&np.Spec.PodSelector)
		if err == nil && sel.Matches(labels.Set(p.meta.Labels)) {
			out = append(out, np)
		}
	}
	return out
}

// opens reports whether a rule's ports let the port through (no ports: every port).
func opens(c corev1.Container, ports []networkingv1.NetworkPolicyPort, port int32, proto corev1.Protocol) bool {
	if len(ports) == 0 {
		return true
	}
	for _, pp := range ports {
		if pp.Protocol != nil && *pp.Protocol != proto {
			continue
		}
		if pp.Port == nil {
			return true
		}
		if n, err := containerPort(c, *pp.Port); err == nil && (n == port || (pp.EndPort != nil && n <= port && port <= *pp.EndPort)) {
			return true
		}
	}
	return false
}

// Every pod is fenced both ways; what reaches it is its Services' ports and /metrics, and it
// reaches DNS and the Kafka brokers it is configured with.
func TestNetworkPoliciesOpenWhatTheProcessesUse(t *testing.T) {
	for _, dir := range layouts {
		m := render(t, dir)
		for _, p := range m.processes(t) {
			var ingress, egress bool
			var in []networkingv1.NetworkPolicyIngressRule
			var out []networkingv1.NetworkPolicyEgressRule
			for _, np := range m.selecting(p.pod) {
				ingress = ingress || slices.Contains(np.Spec.PolicyTypes, networkingv1.PolicyTypeIngress)
				egress = egress || slices.Contains(np.Spec.PolicyTypes, networkingv1.PolicyTypeEgress)
				in = append(in, np.Spec.Ingress...)
				out = append(out, np.Spec.Egress...)
			}
			if !ingress || !egress {
				t.Errorf("%s: not fenced by a NetworkPolicy both ways (ingress %v, egress %v)", p, ingress, egress)
				continue
			}
			inbound := func(port int32) bool {
				return slices.ContainsFunc(in, func(r networkingv1.NetworkPolicyIngressRule) bool {
					return opens(p.container, r.Ports, port, corev1.ProtocolTCP)
				})
			}
			outbound := func(port int32, proto corev1.Protocol) bool {
				return slices.ContainsFunc(out, func(r networkingv1.NetworkPolicyEgressRule) bool {
					return opens(p.container, r.Ports, port, proto)
				})
			}
			if p.pod.longLived && p.cfg.MetricsAddr != "" && !inbound(addrPort(p.cfg.MetricsAddr)) {
				t.Errorf("%s: no policy lets Prometheus reach /metrics on %s", p, p.cfg.MetricsAddr)
			}
			for _, s := range m.services {
				if !labels.SelectorFromSet(s.Spec.Selector).Matches(labels.Set(p.pod.meta.Labels)) {
					continue
				}
				for _, sp := range s.Spec.Ports {
					port, err := containerPort(p.container, sp.TargetPort)
					if err != nil || port != addrPort(p.cfg.HTTPAddr) || !inbound(port) {
						t.Errorf("%s: Service %s's port %s goes to %d (%v): not the open HTTP port of %s",
							p, s.Name, sp.Name, port, err, p.cfg.HTTPAddr)
					}
				}
			}
			if !outbound(53, corev1.ProtocolUDP) || !outbound(53, corev1.ProtocolTCP) {
				t.Errorf("%s: DNS is not let out", p)
			}
			if p.pod.longLived {
				for _, b := range p.cfg.KafkaBrokers {
					_, port, _ := net.SplitHostPort(b)
					if !outbound(addrPort(":"+port), corev1.ProtocolTCP) {
						t.Errorf("%s: the broker %s is not let out", p, b)
					}
				}
			}
		}
	}
}
