package docs_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"gopkg.in/yaml.v3"
)

// The strata commands of examples/github-actions and examples/kubernetes
// are read from the files themselves and run against the example
// migrations, so the files cannot ask for a command or flag strata does
// not have.

// copyDir copies a directory of plain files.
func copyDir(t *testing.T, from, to string) {
	t.Helper()
	entries, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(to, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// workflow is the part of a GitHub Actions workflow the test reads.
type workflow struct {
	Env  map[string]string `yaml:"env"`
	Jobs map[string]struct {
		Env   map[string]string `yaml:"env"`
		Steps []struct {
			Name string            `yaml:"name"`
			Run  string            `yaml:"run"`
			Env  map[string]string `yaml:"env"`
		} `yaml:"steps"`
	} `yaml:"jobs"`
}

// TestGitHubActionsExample runs every strata command of the workflow, in
// order, in a checkout of the example: validate and lint pass, the SARIF is
// a SARIF 2.1.0 log, and the round trip on PostgreSQL works. Then it shows
// that the workflow catches what it is for: an edited migration without a
// new strata.sum fails validate, and an unsafe statement fails lint.
func TestGitHubActionsExample(t *testing.T) {
	root := repoRoot()
	data, err := os.ReadFile(filepath.Join(root, "examples/github-actions/migrations.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var wf workflow
	if err := yaml.Unmarshal(data, &wf); err != nil {
		t.Fatal(err)
	}
	s := newSession(t)
	copyDir(t, filepath.Join(root, "examples/migrations"), filepath.Join(s.dir, "migrations"))
	ran := 0
	for _, job := range wf.Jobs {
		for k, v := range job.Env {
			s.env[k] = s.rewrite(v)
		}
		for _, st := range job.Steps {
			saved := map[string]string{}
			for k, v := range s.env {
				saved[k] = v
			}
			for k, v := range st.Env {
				s.env[k] = s.rewrite(v)
			}
			for _, l := range strings.Split(st.Run, "\n") {
				if l = strings.TrimSpace(l); !strings.HasPrefix(l, "strata ") {
					continue
				}
				ran++
				if res := s.run(l); res.code != 0 {
					t.Fatalf("step %q: %s: %s", st.Name, l, res)
				}
			}
			s.env = saved
		}
	}
	if ran < 5 {
		t.Fatalf("the workflow runs %d strata commands; want validate, lint and the round trip", ran)
	}
	var sarif struct {
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name string `json:"name"`
				} `json:"driver"`
			} `json:"tool"`
		} `json:"runs"`
	}
	raw, err := os.ReadFile(filepath.Join(s.dir, "strata.sarif"))
	if err != nil {
		t.Fatalf("the lint step wrote no strata.sarif: %v", err)
	}
	if err := json.Unmarshal(raw, &sarif); err != nil || sarif.Version != "2.1.0" || len(sarif.Runs) != 1 {
		t.Fatalf("strata.sarif is not a SARIF 2.1.0 log with one run (%v):\n%s", err, raw)
	}

	// An edited migration without a new strata.sum: validate fails.
	f := filepath.Join(s.dir, "migrations", "20260102100000_add_users_name.sql")
	src, _ := os.ReadFile(f)
	if err := os.WriteFile(f, append(src, []byte("-- edited\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	if res := s.run("strata validate"); res.code != 3 || !strings.Contains(res.stderr, "strata.sum") {
		t.Fatalf("validate after an edit without strata hash: want exit 3 naming strata.sum, got %s", res)
	}
	if err := os.WriteFile(f, src, 0o644); err != nil {
		t.Fatal(err)
	}
	// An unsafe statement: lint fails the job (exit 3) and annotates it.
	unsafe := filepath.Join(s.dir, "migrations", "20260103000000_index_orders.sql")
	if err := os.WriteFile(unsafe, []byte("CREATE INDEX orders_total ON orders (total_cents);\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res := s.run("strata lint --engine postgres --format github migrations")
	if res.code != 3 || !strings.Contains(res.stdout, "::error file=migrations/20260103000000_index_orders.sql") {
		t.Fatalf("lint of a non-concurrent index: want exit 3 and an ::error annotation, got %s", res)
	}
}

// podSpec is the part of a Kubernetes manifest the test reads.
type manifest struct {
	Kind string `yaml:"kind"`
	Spec struct {
		Template struct {
			Spec struct {
				InitContainers []container `yaml:"initContainers"`
				Containers     []container `yaml:"containers"`
			} `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

type container struct {
	Name    string   `yaml:"name"`
	Command []string `yaml:"command"`
	Args    []string `yaml:"args"`
	Env     []struct {
		Name      string `yaml:"name"`
		Value     string `yaml:"value"`
		ValueFrom *struct {
			SecretKeyRef struct {
				Name string `yaml:"name"`
				Key  string `yaml:"key"`
			} `yaml:"secretKeyRef"`
		} `yaml:"valueFrom"`
	} `yaml:"env"`
}

// TestKubernetesExample runs the strata containers of the Job and of the
// Deployment's init container, with the environment they declare (the
// secret's URL pointing at a fresh database): the first applies everything,
// three pods starting together all succeed, and a rerun has nothing to do.
func TestKubernetesExample(t *testing.T) {
	root := repoRoot()
	var strataContainers []container
	for _, file := range []string{"job.yaml", "deployment.yaml"} {
		data, err := os.ReadFile(filepath.Join(root, "examples/kubernetes", file))
		if err != nil {
			t.Fatal(err)
		}
		var m manifest
		if err := yaml.Unmarshal(data, &m); err != nil {
			t.Fatal(err)
		}
		for _, c := range append(m.Spec.Template.Spec.InitContainers, m.Spec.Template.Spec.Containers...) {
			if len(c.Command) > 0 && c.Command[0] == "strata" {
				strataContainers = append(strataContainers, c)
			}
		}
	}
	if len(strataContainers) != 2 {
		t.Fatalf("want a strata container in job.yaml and an init container in deployment.yaml, found %d", len(strataContainers))
	}
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			s := newSession(t)
			copyDir(t, filepath.Join(root, "examples/migrations"), filepath.Join(s.dir, "migrations"))
			url := "sqlite:app.db"
			if engine == "postgres" {
				url = s.rewrite("postgres://app:change-me@postgres.default.svc:5432/app?sslmode=require")
			}
			for i, c := range strataContainers {
				env := map[string]string{}
				for _, e := range c.Env {
					switch {
					case e.ValueFrom != nil && e.ValueFrom.SecretKeyRef.Name == "app-database":
						env[e.Name] = url
					case e.Name == "STRATA_DIR":
						env[e.Name] = filepath.Join(s.dir, "migrations") // the image's /migrations
					default:
						env[e.Name] = e.Value
					}
				}
				if env["STRATA_DATABASE_URL"] == "" {
					t.Fatalf("container %s does not take STRATA_DATABASE_URL from the secret", c.Name)
				}
				run := func() result {
					return s.strata(&command{args: append([]string{"strata"}, c.Args...), assign: env})
				}
				if i == 0 {
					if res := run(); res.code != 0 || !strings.Contains(res.stdout, "3 migrations applied") {
						t.Fatalf("%s: strata %s: %s", c.Name, strings.Join(c.Args, " "), res)
					}
					continue
				}
				// Three replicas' init containers at once.
				var wg sync.WaitGroup
				results := make([]result, 3)
				for j := range results {
					wg.Add(1)
					go func() { defer wg.Done(); results[j] = run() }()
				}
				wg.Wait()
				for _, res := range results {
					if res.code != 0 || !strings.Contains(res.stdout, "nothing to do") {
						t.Fatalf("%s: concurrent strata %s: %s", c.Name, strings.Join(c.Args, " "), res)
					}
				}
			}
		})
	}
}
