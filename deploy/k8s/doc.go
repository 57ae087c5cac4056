// Package k8s holds Bullpen's Kubernetes manifests (base/, overlays/) and, in its tests, what
// keeps them true: every rendered object decoded strictly into its Kubernetes type, every pod
// at Pod Security "restricted", probes, ports and grace periods checked against the code.
//
// A module of its own so that kustomize, k8s.io/api and the Pod Security evaluator stay out of
// the service's go.mod; its path, under bullpen/, lets the tests import bullpen/internal/...
package k8s
