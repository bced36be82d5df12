package component_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	rc "github.com/wasmaot/wasmaot/rtlib/component"
	"github.com/wasmaot/wasmaot/rtlib/wasi"
	"github.com/wasmaot/wasmaot/rtlib/wasi/p2"
)

// A general command component (built here from WAT and WIT with
// wasm-tools, not the preview1 adapter's shape) importing WASI 0.2,
// served by rtlib/wasi/p2 through rtlib/component.

// wasip2Component builds testdata/wasip2 into a component binary.
func wasip2Component(t *testing.T) []byte {
	t.Helper()
	wit, err := os.ReadFile("testdata/wasip2/world.wit")
	if err != nil {
		t.Fatal(err)
	}
	wat, err := os.ReadFile("testdata/wasip2/core.wat")
	if err != nil {
		t.Fatal(err)
	}
	return buildComponent(t, string(wit), "app", wat)
}

// wasip2Tree makes root/pre/in.txt (the preopen) and root/secret.txt
// (outside it) and returns root.
func wasip2Tree(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	if err := os.Mkdir(filepath.Join(root, "pre"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(root, "pre", "in.txt"), []byte("file contents\n"))
	write(t, filepath.Join(root, "secret.txt"), []byte("SECRET\n"))
	return root
}

// wasip2Want is the program's output for GREETING=hi B=two: error code 31
// is not-permitted (the path leaves the preopen).
const wasip2Want = "hello from a component\nhi\ntwo\nfile contents\ndenied: error-code 31\n"

// TestWASIP2Component runs the command through the Go API: p2.Host's
// instances for the component's imports.
func TestWASIP2Component(t *testing.T) {
	obj := compileComponent(t, wasip2Component(t))
	root := wasip2Tree(t)
	var stdout bytes.Buffer
	host, err := p2.New(p2.Config{Args: []string{"app"}, Env: []string{"GREETING=hi", "B=two"}, Stdout: &stdout,
		Preopens: []wasi.Preopen{{HostPath: filepath.Join(root, "pre"), GuestPath: "/"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer host.Close()
	c, err := rc.Load(obj)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var imports []string
	for _, im := range c.Graph.Imports {
		imports = append(imports, im.Name)
	}
	instances := host.Instances(imports)
	for _, name := range []string{"wasi:cli/stdout@0.2.0", "wasi:io/streams@0.2.0", "wasi:filesystem/types@0.2.0", "wasi:filesystem/preopens@0.2.0"} {
		if instances[name] == nil {
			t.Errorf("Instances(%q) serves no %s", imports, name)
		}
	}
	inst, err := c.Instantiate(context.Background(), rc.Config{Instances: instances})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close()
	run, err := inst.Func("wasi:cli/run@0.2.0#run")
	if err != nil {
		t.Fatal(err)
	}
	_, err = run.Call(context.Background())
	var exit *wasi.ExitError
	if !errors.As(err, &exit) || exit.Code != 3 {
		t.Fatalf("run: %v, want exit status 3", err)
	}
	if stdout.String() != wasip2Want {
		t.Errorf("stdout:\n%q\nwant\n%q", stdout.String(), wasip2Want)
	}
}

// TestWASIP2CLI runs the command with `wasmaot run` (component binary and
// compiled object, as a command and with --invoke) under the usual flags.
func TestWASIP2CLI(t *testing.T) {
	needLLVM(t)
	dir := t.TempDir()
	bin := filepath.Join(dir, "wasmaot")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/wasmaot").CombinedOutput(); err != nil {
		t.Fatalf("building wasmaot: %v\n%s", err, out)
	}
	compPath := filepath.Join(dir, "app.wasm")
	write(t, compPath, wasip2Component(t))
	objPath := filepath.Join(dir, "app.o")
	if out, err := exec.Command(bin, "compile", compPath, "-o", objPath).CombinedOutput(); err != nil {
		t.Fatalf("wasmaot compile: %v\n%s", err, out)
	}
	root := wasip2Tree(t)
	grants := []string{"--dir", filepath.Join(root, "pre") + "::/", "--env", "GREETING=hi", "--env", "B=two"}
	for _, c := range []struct {
		name     string
		args     []string
		code     int
		stdout   string
		inStderr string
	}{
		{"command", append(grants, compPath), 3, wasip2Want, ""},
		{"object", append(grants, objPath), 3, wasip2Want, ""},
		{"invoke", append(grants, "--invoke", "wasi:cli/run@0.2.0#run", compPath), 3, wasip2Want, ""},
		// Without a preopen the guest finds no directory and traps.
		{"no-dir", []string{"--env", "GREETING=hi", compPath}, 134, "hello from a component\nhi\n", "unreachable"},
		// One 64 KiB page: the guest's memory.grow fails and it traps.
		{"max-memory", append(grants, "--max-memory", "64KiB", compPath), 134, "hello from a component\n", "unreachable"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cmd := exec.Command(bin, append([]string{"run"}, c.args...)...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			code := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != c.code || stdout.String() != c.stdout || !strings.Contains(stderr.String(), c.inStderr) {
				t.Errorf("wasmaot run %s: exit %d, stdout %q, stderr %q; want exit %d, stdout %q, stderr containing %q",
					strings.Join(c.args, " "), code, stdout.String(), stderr.String(), c.code, c.stdout, c.inStderr)
			}
		})
	}
}
