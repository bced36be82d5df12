package wasi_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wasmaot/wasmaot/rtlib/abi"
	"github.com/wasmaot/wasmaot/rtlib/wasi"
)

// result is what a program run produced.
type result struct {
	stdout, stderr string
	exit           uint32 // proc_exit code; 0 when _start returned
	err            error  // any other failure (a trap, a raise)
}

// runProgram runs wasm on eng with the WASI grants in cfg; stdout and
// stderr are captured (cfg.Stdout/Stderr are overwritten).
func runProgram(t testing.TB, eng Engine, wasm []byte, cfg wasi.Config, timeout time.Duration) result {
	t.Helper()
	if p, ok := eng.(preparer); ok {
		if err := p.Prepare(wasm); err != nil {
			return result{err: err}
		}
	}
	var stdout, stderr bytes.Buffer
	cfg.Stdout, cfg.Stderr = &stdout, &stderr
	w, err := wasi.New(cfg)
	if err != nil {
		t.Fatalf("wasi.New: %v", err)
	}
	defer w.Close()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	runErr := eng.Run(ctx, wasm, map[string]map[string]abi.HostFunc{wasi.ModuleName: w.Imports()})
	res := result{stdout: stdout.String(), stderr: stderr.String()}
	var exit *wasi.ExitError
	switch {
	case errors.As(runErr, &exit):
		res.exit = exit.Code
	case runErr != nil:
		res.err = runErr
	}
	return res
}

// builds caches every program built during this test run, by output
// path, so each is built once however many tests use it.
var builds struct {
	sync.Mutex
	dir  string
	done map[string]*buildResult
}

type buildResult struct {
	once sync.Once
	wasm []byte
	err  error
}

// buildDir is the per-run directory holding built programs.
func buildDir() string {
	builds.Lock()
	defer builds.Unlock()
	if builds.dir == "" {
		d, err := os.MkdirTemp("", "wasmaot-wasi-build-")
		if err != nil {
			panic(err)
		}
		builds.dir = d
		builds.done = map[string]*buildResult{}
	}
	return builds.dir
}

// buildOnce runs cmd (which writes out) the first time out is asked for
// and returns the wasm it produced.
func buildOnce(out string, cmd func() *exec.Cmd) ([]byte, error) {
	return buildOnceAfter(out, func() (*exec.Cmd, error) { return cmd(), nil })
}

// buildOnceAfter is buildOnce for a build that needs preparing (files
// copied, configuration written) before its command runs.
func buildOnceAfter(out string, prepare func() (*exec.Cmd, error)) ([]byte, error) {
	buildDir()
	builds.Lock()
	b := builds.done[out]
	if b == nil {
		b = &buildResult{}
		builds.done[out] = b
	}
	builds.Unlock()
	b.once.Do(func() {
		c, err := prepare()
		if err != nil {
			b.err = err
			return
		}
		if msg, err := c.CombinedOutput(); err != nil {
			b.err = fmt.Errorf("%s: %v\n%s", strings.Join(c.Args, " "), err, msg)
			return
		}
		b.wasm, b.err = os.ReadFile(out)
	})
	return b.wasm, b.err
}

// cProgram builds testdata/c/NAME.c with clang-14 for wasm32-wasi.
func cProgram(t testing.TB, name string) []byte {
	t.Helper()
	clang, err := exec.LookPath("clang-14")
	if err != nil {
		t.Skip("clang-14 not installed (make deps installs it): C programs cannot be built")
	}
	src, _ := filepath.Abs(filepath.Join("testdata", "c", name+".c"))
	out := filepath.Join(buildDir(), "c-"+name+".wasm")
	wasm, err := buildOnce(out, func() *exec.Cmd {
		return exec.Command(clang, "--target=wasm32-wasi", "-O2", "-Wall", "-Werror", "-o", out, src)
	})
	if err != nil {
		t.Fatal(err)
	}
	return wasm
}

// goBuild builds a Go package for wasip1: a program ("go build") or, with
// test set, a test binary ("go test -c").
func goBuild(t testing.TB, pkg string, test bool) []byte {
	t.Helper()
	name := strings.NewReplacer("/", "_", ".", "_").Replace(pkg)
	out := filepath.Join(buildDir(), "go-"+name+".wasm")
	wasm, err := buildOnce(out, func() *exec.Cmd {
		args := []string{"build", "-o", out, pkg}
		if test {
			args = []string{"test", "-c", "-o", out, pkg}
		}
		c := exec.Command("go", args...)
		c.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
		return c
	})
	if err != nil {
		t.Fatal(err)
	}
	return wasm
}

// goCmdOutput runs the go command for the host and returns its output.
func goCmdOutput(args ...string) (string, error) {
	out, err := exec.Command("go", args...).Output()
	return string(out), err
}

// TestMain checks the engine selection and removes the programs built
// during the run.
func TestMain(m *testing.M) {
	if enginesErr != nil {
		fmt.Fprintln(os.Stderr, enginesErr)
		os.Exit(2)
	}
	code := m.Run()
	if builds.dir != "" {
		os.RemoveAll(builds.dir)
	}
	os.Exit(code)
}
