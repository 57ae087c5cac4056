package k8s_test

import (
	"os"
	"regexp"
	"slices"
	"strconv"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
)

// pod is a pod template of a Deployment or a Job.
type pod struct {
	owner     string // Deployment/name or Job/name
	meta      metav1.ObjectMeta
	spec      corev1.PodSpec
	longLived bool // a Deployment's: probed, stopped with a grace period
}

func (m *manifest) pods() []pod {
	var out []pod
	for _, d := range m.deployments {
		out = append(out, pod{"Deployment/" + d.Name, d.Spec.Template.ObjectMeta, d.Spec.Template.Spec, true})
	}
	for _, j := range m.jobs {
		out = append(out, pod{"Job/" + j.Name, j.Spec.Template.ObjectMeta, j.Spec.Template.Spec, false})
	}
	return out
}

// The upstream evaluator, as the admission controller runs it in a namespace labelled
// pod-security.kubernetes.io/enforce: restricted.
func TestEveryPodMeetsPodSecurityRestricted(t *testing.T) {
	eval, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	if err != nil {
		t.Fatal(err)
	}
	restricted := api.LevelVersion{Level: api.LevelRestricted, Version: api.LatestVersion()}
	for _, dir := range layouts {
		for _, p := range render(t, dir).pods() {
			for _, r := range eval.EvaluatePod(restricted, &p.meta, &p.spec) {
				if !r.Allowed {
					t.Errorf("%s: %s: %s: %s", dir, p.owner, r.ForbiddenReason, r.ForbiddenDetail)
				}
			}
			// Beyond the profile: nothing is written into the image's filesystem.
			for _, c := range p.spec.Containers {
				if sc := c.SecurityContext; sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
					t.Errorf("%s: %s: container %s: readOnlyRootFilesystem is not true", dir, p.owner, c.Name)
				}
			}
		}
	}
}

// The pods run what the image holds, as the user it was built for (Containerfile).
func TestPodsRunTheImagesBinariesAsItsUser(t *testing.T) {
	file, err := os.ReadFile("../../Containerfile")
	if err != nil {
		t.Fatal(err)
	}
	user := regexp.MustCompile(`(?m)^USER (\d+)`).FindSubmatch(file)
	copied := regexp.MustCompile(`(?m)^COPY ((?:\w+ )+)/$`).FindSubmatch(file)
	if user == nil || copied == nil {
		t.Fatal("no USER <uid> or COPY <binaries> / in the Containerfile")
	}
	uid, _ := strconv.ParseInt(string(user[1]), 10, 64)
	var binaries []string
	for _, b := range regexp.MustCompile(`\w+`).FindAll(copied[1], -1) {
		binaries = append(binaries, "/"+string(b))
	}
	for _, dir := range layouts {
		for _, p := range render(t, dir).pods() {
			if sc := p.spec.SecurityContext; sc == nil || sc.RunAsUser == nil || *sc.RunAsUser != uid {
				t.Errorf("%s: %s: runAsUser is not the image's user %d", dir, p.owner, uid)
			}
			for _, c := range p.spec.Containers {
				if len(c.Command) == 0 || !slices.Contains(binaries, c.Command[0]) {
					t.Errorf("%s: %s: command %q runs none of the image's %q", dir, p.owner, c.Command, binaries)
				}
			}
		}
	}
}
