package k8s_test

import (
	"fmt"
	"path"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"bullpen/internal/config"
)

// process is a container as the program in it sees itself: its configuration, read by the
// program's own parser from the environment the manifest gives it.
type process struct {
	dir       string // the layout it was rendered from
	pod       pod
	container corev1.Container
	cfg       config.Config
}

func (p process) String() string { return p.dir + ": " + p.pod.owner + " " + p.container.Name }

// daemons are the long-lived processes (the Deployments') of every layout.
func daemons(t *testing.T) []process {
	t.Helper()
	var out []process
	for _, dir := range layouts {
		for _, p := range render(t, dir).processes(t) {
			if p.pod.longLived {
				out = append(out, p)
			}
		}
	}
	return out
}

// secretFiles: the keys of the Secret `bullpen` (README "Deploying") and the variable whose
// _FILE twin names each.
var secretFiles = map[string]string{
	"BULLPEN_ADMIN_TOKEN":  "admin-token",
	"BULLPEN_DATABASE_URL": "database-url",
	"BULLPEN_REDIS_URL":    "redis-url",
}

// stand-ins for the secrets' values, which the manifests never hold.
var secretStandIns = map[string]string{
	"BULLPEN_ADMIN_TOKEN":  strings.Repeat("t", 32),
	"BULLPEN_DATABASE_URL": "postgres://bullpen@postgres:5432/bullpen",
	"BULLPEN_REDIS_URL":    "redis://redis:6379/0",
}

// processes parses every container's configuration; a manifest it cannot read fails the test.
func (m *manifest) processes(t *testing.T) []process {
	t.Helper()
	var out []process
	for _, p := range m.pods() {
		for _, c := range p.spec.Containers {
			vars, err := m.environment(p, c)
			if err != nil {
				t.Fatalf("%s: %s %s: %v", m.dir, p.owner, c.Name, err)
			}
			addr := config.ServerAddr
			if len(c.Command) > 0 && c.Command[0] == "/consumer" {
				addr = config.ConsumerAddr
			}
			cfg, err := config.Parse(vars, addr)
			if err != nil {
				t.Fatalf("%s: %s %s: the program would refuse its configuration: %v", m.dir, p.owner, c.Name, err)
			}
			out = append(out, process{m.dir, p, c, cfg})
		}
	}
	return out
}

// environment is what the container's process finds in its environment: the ConfigMaps of
// envFrom, then env; each _FILE twin must name a file of the Secret `bullpen` mounted in the
// container, and is replaced by a stand-in value.
func (m *manifest) environment(p pod, c corev1.Container) (map[string]string, error) {
	vars := map[string]string{}
	for _, from := range c.EnvFrom {
		if from.ConfigMapRef == nil {
			return nil, fmt.Errorf("envFrom other than a ConfigMap")
		}
		i := slices.IndexFunc(m.configMaps, func(cm corev1.ConfigMap) bool { return cm.Name == from.ConfigMapRef.Name })
		if i < 0 {
			return nil, fmt.Errorf("envFrom names ConfigMap %q, which is not rendered", from.ConfigMapRef.Name)
		}
		for k, v := range m.configMaps[i].Data {
			vars[k] = v
		}
	}
	for _, e := range c.Env {
		if e.ValueFrom != nil {
			return nil, fmt.Errorf("%s: valueFrom (secrets come as files: _FILE)", e.Name)
		}
		vars[e.Name] = e.Value
	}
	files := secretMounts(p, c)
	for name, key := range secretFiles {
		file, ok := vars[name+"_FILE"]
		if !ok {
			continue
		}
		if files[file] != key {
			return nil, fmt.Errorf("%s_FILE=%s is not the key %s of the Secret bullpen mounted in the container", name, file, key)
		}
		delete(vars, name+"_FILE")
		vars[name] = secretStandIns[name]
	}
	return vars, nil
}

// secretMounts maps each file the container sees of the Secret `bullpen` to its key.
func secretMounts(p pod, c corev1.Container) map[string]string {
	files := map[string]string{}
	for _, mount := range c.VolumeMounts {
		i := slices.IndexFunc(p.spec.Volumes, func(v corev1.Volume) bool { return v.Name == mount.Name })
		if i < 0 || p.spec.Volumes[i].Secret == nil || p.spec.Volumes[i].Secret.SecretName != "bullpen" {
			continue
		}
		if items := p.spec.Volumes[i].Secret.Items; len(items) > 0 {
			for _, item := range items {
				files[path.Join(mount.MountPath, item.Path)] = item.Key
			}
			continue
		}
		for _, key := range secretFiles {
			files[path.Join(mount.MountPath, key)] = key
		}
	}
	return files
}
