package k8s_test

import (
	"slices"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// What one object names in another is there: the HPA's Deployment (with the CPU request its
// target is a share of, and no replica count of its own to fight it), the PDBs' pods, the
// Ingress's Service and port.
func TestReferencesResolve(t *testing.T) {
	for _, dir := range layouts {
		m := render(t, dir)
		for _, h := range m.hpas {
			i := slices.IndexFunc(m.deployments, func(d appsv1.Deployment) bool {
				return h.Spec.ScaleTargetRef.Kind == "Deployment" && d.Name == h.Spec.ScaleTargetRef.Name
			})
			if i < 0 {
				t.Errorf("%s: HPA %s scales %v, which is not rendered", dir, h.Name, h.Spec.ScaleTargetRef)
				continue
			}
			d := m.deployments[i]
			if d.Spec.Replicas != nil {
				t.Errorf("%s: Deployment %s sets replicas: each apply would undo its HPA's choice", dir, d.Name)
			}
			for _, c := range d.Spec.Template.Spec.Containers {
				if _, ok := c.Resources.Requests[corev1.ResourceCPU]; !ok {
					t.Errorf("%s: Deployment %s container %s has no CPU request for the HPA to measure against", dir, d.Name, c.Name)
				}
			}
		}
		for _, b := range m.pdbs {
			sel, err := metav1.LabelSelectorAsSelector(b.Spec.Selector)
			if err != nil || !slices.ContainsFunc(m.pods(), func(p pod) bool { return sel.Matches(labels.Set(p.meta.Labels)) }) {
				t.Errorf("%s: PDB %s selects no pod (%v)", dir, b.Name, err)
			}
		}
		for _, ing := range m.ingresses {
			for _, r := range ing.Spec.Rules {
				if r.HTTP == nil {
					continue
				}
				for _, path := range r.HTTP.Paths {
					svc := path.Backend.Service
					ok := svc != nil && slices.ContainsFunc(m.services, func(s corev1.Service) bool {
						return s.Name == svc.Name && slices.ContainsFunc(s.Spec.Ports, func(p corev1.ServicePort) bool {
							return p.Name == svc.Port.Name && (svc.Port.Name != "" || p.Port == svc.Port.Number)
						})
					})
					if !ok {
						t.Errorf("%s: Ingress %s sends %s to %+v, which no rendered Service has", dir, ing.Name, path.Path, svc)
					}
				}
			}
		}
	}
}
