package wasi_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wasmaot/wasmaot/compiler/wat"
	"github.com/wasmaot/wasmaot/rtlib"
	"github.com/wasmaot/wasmaot/rtlib/abi"
	"github.com/wasmaot/wasmaot/rtlib/wasi"
	"github.com/wasmaot/wasmaot/rtlib/wasi/p2"
	"github.com/wasmaot/wasmaot/rtlib/wasi/p2/adapter"
)

// The WASI 0.2 oracle: each preview1 program, linked to the preview1
// adapter that jco ships (the module `jco new app.wasm --wasi-command`
// puts into the command component), runs on wasmaot-native against
// rtlib/wasi/p2 and must print what it prints as a core module under
// preview1, and end with the same success or failure.

// jcoPath is the pinned jco's command line (npm ci in make deps).
var jcoPath = filepath.Join("..", "..", "node_modules", ".bin", "jco")

// loadNative compiles wasm with the wasmaot-native engine's cache and
// loads it.
func loadNative(t testing.TB, wasm []byte) *rtlib.Module {
	t.Helper()
	obj, err := native.object(wasm)
	if err != nil {
		t.Fatal(err)
	}
	mod, err := rtlib.Load(obj)
	if err != nil {
		t.Fatal(err)
	}
	return mod
}

// command wraps a preview1 program into a WASI 0.2 command component
// with `jco new --wasi-command` (once per test run) and returns it.
func command(t testing.TB, name string, wasm []byte) []byte {
	t.Helper()
	jco, err := filepath.Abs(jcoPath)
	if err == nil {
		_, err = os.Stat(jco)
	}
	if err != nil {
		t.Skipf("jco is not installed (make deps runs npm ci): %v", err)
	}
	in := filepath.Join(buildDir(), name+".wasm")
	if err := os.WriteFile(in, wasm, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(buildDir(), name+".command.wasm")
	cmp, err := buildOnce(out, func() *exec.Cmd { return exec.Command(jco, "new", in, "--wasi-command", "-o", out) })
	if err != nil {
		t.Fatal(err)
	}
	return cmp
}

// runP2 runs a preview1 program as a WASI 0.2 command with the grants of
// cfg (translated to p2.Config).
func runP2(t testing.TB, component []byte, cfg wasi.Config, timeout time.Duration) result {
	t.Helper()
	appWasm, adWasm, err := adapter.Split(component)
	if err != nil {
		t.Fatal(err)
	}
	app, ad := loadNative(t, appWasm), loadNative(t, adWasm)
	defer app.Close()
	defer ad.Close()
	var stdout, stderr bytes.Buffer
	host, err := p2.New(p2.Config{Args: cfg.Args, Env: cfg.Env, Stdin: cfg.Stdin, Stdout: &stdout, Stderr: &stderr,
		Preopens: cfg.Preopens, Listeners: cfg.Listeners, Now: cfg.Now, Monotonic: cfg.Monotonic, Random: cfg.Random})
	if err != nil {
		t.Fatalf("p2.New: %v", err)
	}
	defer host.Close()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	runErr := adapter.Command{App: app, Adapter: ad}.Run(ctx, host, rtlib.Config{})
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

// expectP2 checks a WASI 0.2 run against the preview1 run of the same
// program: the same stdout and stderr, and success (exit 0) or failure
// (any other code: WASI 0.2's exit carries only that) alike.
func expectP2(t *testing.T, got, want result) {
	t.Helper()
	if got.err != nil || want.err != nil {
		t.Fatalf("run failed: WASI 0.2: %v; preview1: %v\nstdout:\n%s\nstderr:\n%s", got.err, want.err, got.stdout, got.stderr)
	}
	if (got.exit == 0) != (want.exit == 0) {
		t.Errorf("WASI 0.2 exit %d, preview1 exit %d\nstderr:\n%s", got.exit, want.exit, got.stderr)
	}
	if got.stdout != want.stdout {
		t.Errorf("WASI 0.2 stdout:\n%s\npreview1 stdout:\n%s", got.stdout, want.stdout)
	}
	if got.stderr != want.stderr {
		t.Errorf("WASI 0.2 stderr:\n%s\npreview1 stderr:\n%s", got.stderr, want.stderr)
	}
}

// bothWays runs a program under preview1 and WASI 0.2 with fresh grants
// from setup, and compares them.
func bothWays(t *testing.T, name string, wasm []byte, setup func(t *testing.T) wasi.Config) (p1, p2 result) {
	cmp := command(t, name, wasm)
	p1 = runProgram(t, native, wasm, setup(t), time.Minute)
	p2 = runP2(t, cmp, setup(t), time.Minute)
	expectP2(t, p2, p1)
	return p1, p2
}

func TestP2Hello(t *testing.T) {
	wasm := cProgram(t, "hello")
	p1, _ := bothWays(t, "c-hello", wasm, func(*testing.T) wasi.Config {
		return wasi.Config{Args: []string{"hello", "one", "two words"}, Env: []string{"GREETING=hi there", "EMPTY="}}
	})
	if p1.exit != 7 || !strings.Contains(p1.stdout, "argv[2]=two words") {
		t.Errorf("preview1 run: exit %d, stdout %q", p1.exit, p1.stdout)
	}
}

func TestP2Stdin(t *testing.T) {
	wasm := cProgram(t, "stdin")
	in := strings.Repeat("hello, wasi\n", 1000) + "no newline"
	_, got := bothWays(t, "c-stdin", wasm, func(*testing.T) wasi.Config {
		return wasi.Config{Args: []string{"stdin"}, Stdin: strings.NewReader(in)}
	})
	if want := strings.ToUpper(in) + "bytes=12010 lines=1000\n"; got.stdout != want {
		t.Errorf("stdout is not the input in upper case (%d bytes)", len(got.stdout))
	}
}

func TestP2ClockRandom(t *testing.T) {
	wasm := cProgram(t, "clockrand")
	fixed := time.Unix(1_000_000_000, 123_456_789)
	setup := func(*testing.T) wasi.Config {
		return wasi.Config{Args: []string{"clockrand"}, Now: func() time.Time { return fixed }, Random: &countingReader{}}
	}
	p1 := runProgram(t, native, wasm, setup(t), time.Minute)
	got := runP2(t, command(t, "c-clockrand", wasm), setup(t), time.Minute)
	// WASI 0.2 has no CPU-time clocks: the adapter answers
	// CLOCK_PROCESS_CPUTIME_ID with an error, so that line differs.
	const cpu = "process cputime: ok\n"
	if !strings.Contains(p1.stdout, cpu) || !strings.Contains(got.stdout, "process cputime: error\n") {
		t.Errorf("cputime lines: preview1 %q, WASI 0.2 %q", p1.stdout, got.stdout)
	}
	p1.stdout = strings.Replace(p1.stdout, cpu, "process cputime: error\n", 1)
	expectP2(t, got, p1)
}

func TestP2Files(t *testing.T) {
	wasm := cProgram(t, "files")
	var dirs []string
	_, got := bothWays(t, "c-files", wasm, func(t *testing.T) wasi.Config {
		dir := t.TempDir()
		dirs = append(dirs, dir)
		return wasi.Config{Args: []string{"files"}, Preopens: []wasi.Preopen{{HostPath: dir, GuestPath: "/sandbox"}}}
	})
	if want := golden(t, "c/files.out"); got.stdout != want {
		t.Errorf("stdout differs from c/files.out")
	}
	if b, err := os.ReadFile(filepath.Join(dirs[1], "moved")); err != nil || string(b) != "deep" {
		t.Errorf("host moved = %q, %v", b, err)
	}
}

// TestP2Escape runs the path-escape battery against wasi:filesystem. The
// answers are preview1's with WASI 0.2's error codes: it has no "not
// capable", so a path refused for leaving its directory answers
// not-permitted, which the adapter reports as EPERM (63) where preview1
// says ENOTCAPABLE (76). Nothing outside the preopens, and nothing in the
// read-only one, changes.
func TestP2Escape(t *testing.T) {
	wasm := cProgram(t, "escape")
	cmp := command(t, "c-escape", wasm)
	want := strings.ReplaceAll(golden(t, "c/escape.out"), ": 76\n", ": 63\n")
	// Setting APPEND on a file is the adapter's own bookkeeping (no WASI
	// 0.2 call), so it succeeds; a write through it would then be refused
	// by the host as read-only.
	want = strings.Replace(want, "  append flag: 69\n", "  append flag: 0\n", 1)
	root := escapeTree(t)
	outside, ro := snapshot(t, filepath.Join(root, "outside")), snapshot(t, filepath.Join(root, "ro"))
	res := runP2(t, cmp, wasi.Config{
		Args: []string{"escape"},
		Preopens: []wasi.Preopen{
			{HostPath: filepath.Join(root, "sandbox"), GuestPath: "/sandbox"},
			{HostPath: filepath.Join(root, "other"), GuestPath: "/other"},
			{HostPath: filepath.Join(root, "ro"), GuestPath: "/ro", ReadOnly: true},
		},
	}, time.Minute)
	// The battery ends with bad pointers, which preview1 answers with
	// EFAULT; under WASI 0.2 the adapter itself reads the guest's iovecs
	// in wasm, so the first one traps there instead.
	const faults = "fd_write iovs out of bounds: 21\n"
	i := strings.Index(want, faults)
	if i < 0 {
		t.Fatalf("c/escape.out has no line %q", faults)
	}
	if res.stdout != want[:i] {
		t.Errorf("stdout:\n%s\nwant:\n%s", res.stdout, want[:i])
	}
	var trap *abi.Trap
	if !errors.As(res.err, &trap) || trap.Code != abi.TrapMemoryOutOfBounds || !strings.Contains(res.err.Error(), "in fd_write") {
		t.Errorf("run ended with %v, want an out-of-bounds trap in the adapter's fd_write", res.err)
	}
	if got := snapshot(t, filepath.Join(root, "outside")); got != outside {
		t.Errorf("outside changed:\n%s\nwas:\n%s", got, outside)
	}
	if got := snapshot(t, filepath.Join(root, "ro")); got != ro {
		t.Errorf("read-only preopen changed:\n%s\nwas:\n%s", got, ro)
	}
}

// TestP2Extract runs the ZipSlip extractor against wasi:filesystem: the
// same archives as TestCExtract, the same answers as preview1 (with WASI
// 0.2's not-permitted for not-capable), and nothing written outside /out.
func TestP2Extract(t *testing.T) {
	wasm := cProgram(t, "extract")
	cmp := command(t, "c-extract", wasm)
	t.Run("benign", func(t *testing.T) {
		out := t.TempDir()
		res := runP2(t, cmp, wasi.Config{
			Args:     []string{"extract"},
			Stdin:    strings.NewReader("D dir\nF dir/a 5\nhelloF top 3\nabcL dir/link a\n"),
			Preopens: []wasi.Preopen{{HostPath: out, GuestPath: "/out"}},
		}, time.Minute)
		expect(t, res, 0, "ok D dir\nok F dir/a\nok F top\nok L dir/link\n", "")
		if got := snapshot(t, out); !strings.Contains(got, "dir/a = hello") || !strings.Contains(got, "dir/link -> a") || !strings.Contains(got, "top = abc") {
			t.Errorf("extracted tree:\n%s", got)
		}
	})
	t.Run("hostile", func(t *testing.T) {
		root := t.TempDir()
		out, victim := filepath.Join(root, "out"), filepath.Join(root, "victim")
		os.Mkdir(out, 0o755)
		os.Mkdir(victim, 0o755)
		os.WriteFile(filepath.Join(victim, "target"), []byte("precious"), 0o644)
		before := snapshot(t, victim)
		archive := "F ../evil1 4\nevil" + "F sub/../../evil2 4\nevil" + "D ../evil_dir\n" + "L up ..\n" +
			"F up/evil3 4\nevil" + "L hostabs " + victim + "\n" + "L victimlink ../victim\n" +
			"F victimlink/pwned 4\nevil" + "L file_link ../victim/target\n" + "F file_link 4\nevil" + "F /abs_evil 4\nevil"
		res := runP2(t, cmp, wasi.Config{
			Args:     []string{"extract"},
			Stdin:    strings.NewReader(archive),
			Preopens: []wasi.Preopen{{HostPath: out, GuestPath: "/out"}},
		}, time.Minute)
		// musl's text for ENOTCAPABLE, then for EPERM.
		want := strings.ReplaceAll(golden(t, "c/extract-hostile.out"), "Capabilities insufficient", "Operation not permitted")
		if res.exit == 0 || res.err != nil {
			t.Errorf("exit %d, error %v: want a failure exit", res.exit, res.err)
		}
		if res.stdout != want {
			t.Errorf("stdout:\n%s\nwant:\n%s", res.stdout, want)
		}
		if got := snapshot(t, victim); got != before {
			t.Errorf("victim directory changed:\n%s", got)
		}
		if entries, _ := os.ReadDir(root); len(entries) != 2 {
			t.Errorf("files appeared next to the preopen: %v", entries)
		}
		if b, err := os.ReadFile(filepath.Join(out, "abs_evil")); err != nil || string(b) != "evil" {
			t.Errorf("out/abs_evil = %q, %v", b, err)
		}
	})
}

// TestP2CLI runs jco-wrapped command components with `wasmaot run`, with
// the flags of a core module: arguments, --env, --dir, --timeout. WASI
// 0.2's exit carries only failure, which the CLI reports as status 1.
func TestP2CLI(t *testing.T) {
	dir := t.TempDir()
	cache := filepath.Join(dir, "cache")
	for _, name := range []string{"hello", "files"} {
		if err := os.WriteFile(filepath.Join(dir, name+".wasm"), command(t, "c-"+name, cProgram(t, name)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// -O 0: the CLI compiles both core modules of each component.
	res := runCLI(t, dir, "", "run", "-O", "0", "--cache-dir", cache, "--env", "GREETING=hi there", "--env", "EMPTY=", "hello.wasm", "one", "two words")
	expectCLI(t, res, 1, "argc=3\nargv[0]=hello.wasm\nargv[1]=one\nargv[2]=two words\n"+
		"environ entries=2\nGREETING=hi there\nHOME=(unset)\n", "to stderr\n")
	sandbox := filepath.Join(dir, "sandbox")
	if err := os.Mkdir(sandbox, 0o755); err != nil {
		t.Fatal(err)
	}
	res = runCLI(t, dir, "", "run", "-O", "0", "--cache-dir", cache, "--dir", "sandbox::/sandbox", "files.wasm")
	expectCLI(t, res, 0, golden(t, "c/files.out"), "")
	if b, err := os.ReadFile(filepath.Join(sandbox, "moved")); err != nil || string(b) != "deep" {
		t.Errorf("host sandbox/moved = %q, %v", b, err)
	}
}

// TestP2JcoNode runs the wrapped commands that need no directories under
// jco's own WASI 0.2 host on Node (`jco run`), the reference
// implementation, and compares with wasmaot's: the same stdout and
// stderr, the same success or failure. jco names the program after its
// file, so argv[0] is compared after replacing it; Node is given only the
// environment the program is granted.
func TestP2JcoNode(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed: jco cannot run")
	}
	for _, c := range []struct {
		name  string
		args  []string
		env   []string
		stdin string
	}{
		{"hello", []string{"one", "two words"}, []string{"GREETING=hi there", "EMPTY="}, ""},
		{"stdin", nil, nil, strings.Repeat("hello, wasi\n", 1000) + "no newline"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cmp := command(t, "c-"+c.name, cProgram(t, c.name))
			jco, err := filepath.EvalSymlinks(jcoPath)
			if err != nil {
				t.Fatal(err)
			}
			jco, _ = filepath.Abs(jco)
			file := filepath.Join(t.TempDir(), c.name+".wasm")
			if err := os.WriteFile(file, cmp, 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(node, append([]string{jco, "run", file}, c.args...)...)
			cmd.Env = c.env
			if cmd.Env == nil {
				cmd.Env = []string{}
			}
			cmd.Stdin = strings.NewReader(c.stdin)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			runErr := cmd.Run()
			var exit *exec.ExitError
			if runErr != nil && !errors.As(runErr, &exit) {
				t.Fatalf("jco run: %v\n%s", runErr, stderr.String())
			}
			ours := runP2(t, cmp, wasi.Config{Args: append([]string{c.name}, c.args...), Env: c.env, Stdin: strings.NewReader(c.stdin)}, time.Minute)
			got := strings.Replace(stdout.String(), "argv[0]="+c.name+"\n", "argv[0]=NAME\n", 1)
			want := strings.Replace(ours.stdout, "argv[0]="+c.name+"\n", "argv[0]=NAME\n", 1)
			if got != want || stderr.String() != ours.stderr || (runErr == nil) != (ours.exit == 0) {
				t.Errorf("jco on Node: exit %v\nstdout:\n%.300s\nstderr:\n%s\nwasmaot: exit %d\nstdout:\n%.300s\nstderr:\n%s",
					runErr, got, stderr.String(), ours.exit, want, ours.stderr)
			}
		})
	}
}

// TestP2Go runs the gofs Go program (os package: files, links, walk,
// times, escapes) as a WASI 0.2 command: the same output as under
// preview1 (testdata/go/gofs.out, which TestGoProgram checks), and its
// exit status 3 as failure.
func TestP2Go(t *testing.T) {
	cmp := command(t, "go-gofs", goBuild(t, "./testdata/go/gofs", false))
	res := runP2(t, cmp, wasi.Config{
		Args:     []string{"gofs", "x", "y"},
		Env:      []string{"GREETING=hello"},
		Stdin:    strings.NewReader("from stdin"),
		Preopens: []wasi.Preopen{{HostPath: t.TempDir(), GuestPath: "/sandbox"}},
	}, 2*time.Minute)
	expect(t, res, 1, golden(t, "go/gofs.out"), "bye\n")
}

// TestP2BlockedDeadline: a command blocked reading a stdin that never
// delivers (a pipe no one writes) still ends at its deadline, and one
// whose memory cap is below what it declares does not start.
func TestP2BlockedDeadline(t *testing.T) {
	cmp := command(t, "c-stdin", cProgram(t, "stdin"))
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	appWasm, adWasm, err := adapter.Split(cmp)
	if err != nil {
		t.Fatal(err)
	}
	app, ad := loadNative(t, appWasm), loadNative(t, adWasm)
	defer app.Close()
	defer ad.Close()
	host, err := p2.New(p2.Config{Args: []string{"stdin"}, Stdin: r})
	if err != nil {
		t.Fatal(err)
	}
	defer host.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	start := time.Now()
	err = adapter.Command{App: app, Adapter: ad}.Run(ctx, host, rtlib.Config{})
	t.Logf("ended after %v with %v", time.Since(start), err)
	if took := time.Since(start); took > 20*time.Second {
		t.Errorf("the blocked command ended after %v, want about its 2 s deadline", took)
	}
	var exit *wasi.ExitError
	if err == nil || (!errors.Is(err, context.DeadlineExceeded) && !errors.As(err, &exit)) {
		t.Errorf("blocked command ended with %v, want its deadline (or a failure exit)", err)
	}
	err = adapter.Command{App: app, Adapter: ad}.Run(context.Background(), host, rtlib.Config{MaxMemoryPages: 1})
	if err == nil || !strings.Contains(err.Error(), "adapter: application:") {
		t.Errorf("a memory cap below the declared minimum: %v", err)
	}
}

// TestP2StartCallsWASI: a module whose start function calls preview1 runs
// before the adapter exists; the command fails with that explained.
func TestP2StartCallsWASI(t *testing.T) {
	wasm, err := wat.Parse([]byte(`(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func $init (call $exit (i32.const 3)))
  (start $init)
  (func (export "_start")))`))
	if err != nil {
		t.Fatal(err)
	}
	res := runP2(t, command(t, "wat-start-calls-wasi", wasm), wasi.Config{}, time.Minute)
	if res.err == nil || !strings.Contains(res.err.Error(), "called proc_exit while it was being instantiated") {
		t.Errorf("run ended with %v", res.err)
	}
}
