package k8s_test

import (
	"errors"
	"fmt"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	sigsjson "sigs.k8s.io/json"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// layouts are the kustomizations every test renders: the base and the example overlay.
var layouts = []string{"base", "overlays/example"}

// manifest is one rendered kustomization, every object in its Kubernetes type.
type manifest struct {
	dir         string
	deployments []appsv1.Deployment
	jobs        []batchv1.Job
	services    []corev1.Service
	configMaps  []corev1.ConfigMap
	namespaces  []corev1.Namespace
	ingresses   []networkingv1.Ingress
	policies    []networkingv1.NetworkPolicy
	hpas        []autoscalingv2.HorizontalPodAutoscaler
	pdbs        []policyv1.PodDisruptionBudget
}

// render builds dir with kustomize, as `kubectl apply -k` would, and decodes what it renders.
func render(t *testing.T, dir string) *manifest {
	t.Helper()
	rm, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		t.Fatalf("kustomize %s: %v", dir, err)
	}
	m := &manifest{dir: dir}
	for _, r := range rm.Resources() {
		data, err := r.MarshalJSON()
		if err == nil {
			err = m.add(r.GetApiVersion(), r.GetKind(), data)
		}
		if err != nil {
			t.Errorf("%s: %s %q: %v", dir, r.GetKind(), r.GetName(), err)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	return m
}

// add decodes one object into its type, strictly: a field the type does not have (a typo, a
// field at the wrong level, one of another API version) is an error, as is a kind not listed.
func (m *manifest) add(apiVersion, kind string, data []byte) error {
	switch apiVersion + " " + kind {
	case "apps/v1 Deployment":
		return decodeInto(data, &m.deployments)
	case "batch/v1 Job":
		return decodeInto(data, &m.jobs)
	case "v1 Service":
		return decodeInto(data, &m.services)
	case "v1 ConfigMap":
		return decodeInto(data, &m.configMaps)
	case "v1 Namespace":
		return decodeInto(data, &m.namespaces)
	case "networking.k8s.io/v1 Ingress":
		return decodeInto(data, &m.ingresses)
	case "networking.k8s.io/v1 NetworkPolicy":
		return decodeInto(data, &m.policies)
	case "autoscaling/v2 HorizontalPodAutoscaler":
		return decodeInto(data, &m.hpas)
	case "policy/v1 PodDisruptionBudget":
		return decodeInto(data, &m.pdbs)
	case "v1 Secret":
		return errors.New("a Secret is shipped: the operator creates `bullpen` (README \"Deploying\"), an apply must never overwrite it")
	}
	return fmt.Errorf("unknown kind %s %s: give it a type in manifest.add", apiVersion, kind)
}

func decodeInto[T any](data []byte, into *[]T) error {
	var v T
	strict, err := sigsjson.UnmarshalStrict(data, &v)
	if err != nil {
		return err
	}
	if len(strict) > 0 {
		return errors.Join(strict...)
	}
	*into = append(*into, v)
	return nil
}

func TestEveryObjectDecodesStrictly(t *testing.T) {
	for _, dir := range layouts {
		m := render(t, dir)
		if len(m.deployments) != 2 || len(m.jobs) != 1 || len(m.configMaps) != 1 {
			t.Errorf("%s: %d deployments, %d jobs, %d config maps; want the server and the consumer, the migrate Job, one ConfigMap",
				dir, len(m.deployments), len(m.jobs), len(m.configMaps))
		}
	}
}

// The decoding refuses what it should, so a pass above means something.
func TestDecodingRefusesUnknownFieldsKindsAndSecrets(t *testing.T) {
	m := &manifest{}
	for _, c := range []struct{ apiVersion, kind, json string }{
		{"v1", "Service", `{"apiVersion":"v1","kind":"Service","metadata":{"name":"x"},"spec":{"selectr":{}}}`},
		{"v1", "Service", `{"apiVersion":"v1","kind":"Service","metadata":{"name":"x"},"Spec":{}}`},
		{"v1", "Secret", `{"apiVersion":"v1","kind":"Secret","metadata":{"name":"bullpen"}}`},
		{"batch/v1", "CronJob", `{"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"x"}}`},
	} {
		if err := m.add(c.apiVersion, c.kind, []byte(c.json)); err == nil {
			t.Errorf("%s accepted", c.json)
		}
	}
}
