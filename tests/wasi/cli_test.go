package wasi_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// cliBinary is the wasmaot command built once per test run.
var cliBinary = sync.OnceValues(func() (string, error) {
	out := filepath.Join(buildDir(), "wasmaot")
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		return "", err
	}
	c := exec.Command("go", "build", "-o", out, "./cmd/wasmaot")
	c.Dir = root
	if msg, err := c.CombinedOutput(); err != nil {
		return "", errors.New("go build ./cmd/wasmaot: " + err.Error() + "\n" + string(msg))
	}
	return out, nil
})

// cliResult is what one `wasmaot` invocation produced.
type cliResult struct {
	stdout, stderr string
	code           int
}

// runCLI runs `wasmaot ARGS…` in dir with stdin, and fails the test if
// it does not end within a generous limit.
func runCLI(t *testing.T, dir, stdin string, args ...string) cliResult {
	t.Helper()
	return runCLIReading(t, dir, strings.NewReader(stdin), args...)
}

// runCLIReading is runCLI with any stdin (an *os.File is passed to the
// process as it is).
func runCLIReading(t *testing.T, dir string, stdin io.Reader, args ...string) cliResult {
	t.Helper()
	bin, err := cliBinary()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	c := exec.CommandContext(ctx, bin, args...)
	c.Dir = dir
	c.Stdin = stdin
	var stdout, stderr bytes.Buffer
	c.Stdout, c.Stderr = &stdout, &stderr
	err = c.Run()
	res := cliResult{stdout: stdout.String(), stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Fatalf("wasmaot %v did not finish: %v", args, ctx.Err())
	case errors.As(err, &exit):
		res.code = exit.ExitCode()
	case err != nil:
		t.Fatalf("wasmaot %v: %v", args, err)
	}
	return res
}

// expectCLI checks an invocation's exit status and exact stdout, and that
// stderr contains stderrPart.
func expectCLI(t *testing.T, res cliResult, code int, stdout, stderrPart string) {
	t.Helper()
	if res.code != code {
		t.Errorf("exit status %d, want %d\nstderr:\n%s", res.code, code, res.stderr)
	}
	if res.stdout != stdout {
		t.Errorf("stdout:\n%s\nwant:\n%s", res.stdout, stdout)
	}
	if !strings.Contains(res.stderr, stderrPart) {
		t.Errorf("stderr %q does not contain %q", res.stderr, stderrPart)
	}
}

// TestCLIC runs C programs given as .wasm: `wasmaot run` compiles them
// into its cache (once: the second run of a module adds nothing) and
// passes arguments, granted environment and directories, stdout, stderr
// and the exit code through.
func TestCLIC(t *testing.T) {
	dir := t.TempDir()
	cache := filepath.Join(dir, "cache")
	for _, name := range []string{"hello", "files"} {
		if err := os.WriteFile(filepath.Join(dir, name+".wasm"), cProgram(t, name), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want := "argc=3\nargv[0]=hello.wasm\nargv[1]=one\nargv[2]=two words\n" +
		"environ entries=2\nGREETING=hi there\nHOME=(unset)\n"
	for range 2 {
		res := runCLI(t, dir, "", "run", "--cache-dir", cache, "--env", "GREETING=hi there", "--env", "EMPTY=", "hello.wasm", "one", "two words")
		expectCLI(t, res, 7, want, "to stderr\n")
	}
	if objs, _ := filepath.Glob(filepath.Join(cache, "*")); len(objs) != 1 {
		t.Errorf("cache holds %v after two runs of one module, want one object", objs)
	}

	sandbox := filepath.Join(dir, "sandbox")
	if err := os.Mkdir(sandbox, 0o755); err != nil {
		t.Fatal(err)
	}
	res := runCLI(t, dir, "", "run", "--cache-dir", cache, "--dir", "sandbox::/sandbox", "files.wasm")
	expectCLI(t, res, 0, golden(t, "c/files.out"), "")
	if b, err := os.ReadFile(filepath.Join(sandbox, "moved")); err != nil || string(b) != "deep" {
		t.Errorf("host sandbox/moved = %q, %v", b, err)
	}
}

// TestCLIGo runs the gofs Go program as an object compiled by the
// wasmaot-native engine: stdin, a preopen, the environment and exit code 3.
func TestCLIGo(t *testing.T) {
	obj, err := native.object(goBuild(t, "./testdata/go/gofs", false))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "gofs.o"), obj, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "sandbox"), 0o755); err != nil {
		t.Fatal(err)
	}
	res := runCLI(t, dir, "from stdin", "run", "--dir", "sandbox::/sandbox", "--env", "GREETING=hello", "gofs.o", "x", "y")
	expectCLI(t, res, 3, golden(t, "go/gofs.out"), "bye\n")
}

// TestCLILimits checks how guests that trap, spin or outgrow their memory
// end under `wasmaot run` (modules from testdata/wat, given as text).
func TestCLILimits(t *testing.T) {
	dir, err := filepath.Abs(filepath.Join("testdata", "wat"))
	if err != nil {
		t.Fatal(err)
	}
	cache := "--cache-dir=" + t.TempDir()
	t.Run("trap", func(t *testing.T) {
		res := runCLI(t, dir, "", "run", cache, "trap.wat")
		expectCLI(t, res, 134, "before the trap\n", "unreachable")
	})
	t.Run("timeout", func(t *testing.T) {
		res := runCLI(t, dir, "", "run", cache, "--timeout", "1s", "spin.wat")
		expectCLI(t, res, 134, "", "interrupted")
	})
	// A guest blocked reading a pipe that stays silent ends at its
	// timeout too. The pipe is closed after a minute in any case, so a
	// regression shows as the guest seeing EOF and exiting normally.
	t.Run("timeout reading stdin", func(t *testing.T) {
		wasmDir := t.TempDir()
		if err := os.WriteFile(filepath.Join(wasmDir, "stdin.wasm"), cProgram(t, "stdin"), 0o644); err != nil {
			t.Fatal(err)
		}
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		closer := time.AfterFunc(time.Minute, func() { w.Close() })
		defer func() {
			if closer.Stop() {
				w.Close()
			}
		}()
		res := runCLIReading(t, wasmDir, r, "run", cache, "--timeout", "1s", "stdin.wasm")
		expectCLI(t, res, 134, "", "interrupted")
	})
	// grow.wat exits with bit 0 set when growing by 8 pages succeeded and
	// bit 1 set when growing by 32 more was refused.
	t.Run("memory", func(t *testing.T) {
		res := runCLI(t, dir, "", "run", cache, "grow.wat")
		expectCLI(t, res, 1, "", "")
	})
	t.Run("max-memory", func(t *testing.T) {
		res := runCLI(t, dir, "", "run", cache, "--max-memory", "1MiB", "grow.wat")
		expectCLI(t, res, 3, "", "")
	})
	// A 64 MiB path from a guest capped at 80 MiB answers ENAMETOOLONG
	// (37) within a 2 s deadline; the host once copied it into 2 GB of
	// allocations and took eight times the deadline (a host call cannot
	// be interrupted). A first run under a 1 MiB cap (the module cannot
	// grow: status 201) puts the object in the cache, so the timed run
	// measures the run alone; 5 s leaves room for a loaded machine.
	t.Run("long path", func(t *testing.T) {
		scratch := t.TempDir()
		res := runCLI(t, dir, "", "run", cache, "--max-memory", "1MiB", "longpath.wat")
		expectCLI(t, res, 201, "", "")
		start := time.Now()
		res = runCLI(t, dir, "", "run", cache, "--max-memory", "80MiB", "--timeout", "2s",
			"--dir", scratch+"::/scratch", "longpath.wat")
		took := time.Since(start)
		expectCLI(t, res, 37, "", "")
		if took > 5*time.Second {
			t.Errorf("the run took %v, want well under the 2 s deadline plus start-up", took)
		}
		if entries, _ := os.ReadDir(scratch); len(entries) != 0 {
			t.Errorf("the guest created %d entries", len(entries))
		}
	})
	// A guest reading a FIFO that no one writes ends at its deadline
	// (path_open of a FIFO used to block the host thread for good); with
	// a writer it reads what was written.
	t.Run("fifo", func(t *testing.T) {
		scratch := t.TempDir()
		fifo := filepath.Join(scratch, "fifo")
		if err := syscall.Mkfifo(fifo, 0o644); err != nil {
			t.Skipf("mkfifo: %v (the file system cannot hold a FIFO)", err)
		}
		// Should the guest still block, a writer that comes after a
		// minute lets the run end and shows as exit status 5.
		release := time.AfterFunc(time.Minute, func() {
			if f, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
				f.Write([]byte("late!"))
				f.Close()
			}
		})
		defer release.Stop()
		start := time.Now()
		res := runCLI(t, dir, "", "run", cache, "--timeout", "1s", "--dir", scratch+"::/scratch", "fifo.wat")
		expectCLI(t, res, 134, "", "interrupted")
		if took := time.Since(start); took > 30*time.Second {
			t.Errorf("the run took %v", took)
		}
		go func() {
			if f, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
				f.Write([]byte("hello"))
				f.Close()
			}
		}()
		res = runCLI(t, dir, "", "run", cache, "--timeout", "30s", "--dir", scratch+"::/scratch", "fifo.wat")
		expectCLI(t, res, 5, "", "")
	})
}

// TestCLIListen grants the echo Go program a listening socket with
// --listen and talks to it over TCP while `wasmaot run` serves.
func TestCLIListen(t *testing.T) {
	obj, err := native.object(goBuild(t, "./testdata/go/echo", false))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "echo.o"), obj, 0o644); err != nil {
		t.Fatal(err)
	}
	// A port that was free a moment ago; the client retries until the
	// guest's runtime has bound it.
	probe, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := probe.Addr().String()
	probe.Close()
	replies := make(chan string, 1)
	go func() {
		var conn net.Conn
		var err error
		for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if conn, err = net.Dial("tcp", addr); err == nil {
				break
			}
		}
		if err != nil {
			replies <- err.Error()
			return
		}
		defer conn.Close()
		r := bufio.NewReader(conn)
		var got []string
		for _, line := range []string{"over\n", "tcp\n"} {
			fmt.Fprint(conn, line)
			reply, _ := r.ReadString('\n')
			got = append(got, reply)
		}
		fmt.Fprint(conn, "quit\n")
		replies <- strings.Join(got, "")
	}()
	res := runCLI(t, dir, "", "run", "--listen", addr, "echo.o")
	expectCLI(t, res, 0, "served\n", "")
	if got := <-replies; got != "OVER\nTCP\n" {
		t.Errorf("client got %q", got)
	}
	res = runCLI(t, dir, "", "run", "--listen", "no-such-host-:x", "echo.o")
	expectCLI(t, res, 2, "", "--listen")
}
