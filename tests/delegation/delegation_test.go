// Package delegation_test runs the two delegation stories of
// examples/delegation as trees of nanoprocesses on wasmaot-native: a
// notification dependency handed one output stream that cannot reach the
// application's secret or the network, and an archive extractor handed
// one directory that writes nothing outside it.
package delegation_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/wasmaot/wasmaot/compiler"
	"github.com/wasmaot/wasmaot/rtlib"
	"github.com/wasmaot/wasmaot/rtlib/wasi/p2"
	"github.com/wasmaot/wasmaot/rtlib/wasi/p2/tree"
)

const examples = "../../examples/delegation"

const seed = "wallet seed: abandon abandon ability"

// build compiles examples/delegation/SRC (freestanding C importing WASI
// 0.2 in lowered form) into dir/OUT.
func build(t *testing.T, src, out string) {
	t.Helper()
	clang, err := exec.LookPath("clang-14")
	if err != nil {
		t.Skip("clang-14 not installed (make deps installs it): the story's modules cannot be built")
	}
	cmd := exec.Command(clang, "--target=wasm32", "-nostdlib", "-O2", "-Wall", "-Werror", "-Wl,--no-entry", "-o", out, filepath.Join(examples, src))
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %v\n%s", cmd.Args, err, msg)
	}
}

// command builds tests/wasi's extractor as a preview1 program and wraps
// it into a WASI 0.2 command with the pinned jco.
func command(t *testing.T, out string) {
	t.Helper()
	jco, _ := filepath.Abs("../../node_modules/.bin/jco")
	if _, err := os.Stat(jco); err != nil {
		t.Skipf("jco is not installed (make deps runs npm ci): %v", err)
	}
	clang, err := exec.LookPath("clang-14")
	if err != nil {
		t.Skip("clang-14 not installed (make deps installs it)")
	}
	core := out + ".core.wasm"
	for _, args := range [][]string{
		{clang, "--target=wasm32-wasi", "-O2", "-o", core, "../wasi/testdata/c/extract.c"},
		{jco, "new", core, "--wasi-command", "-o", out},
	} {
		if msg, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, msg)
		}
	}
}

func compile(ctx context.Context, wasm []byte) (*rtlib.Module, error) {
	obj, err := compiler.Cache{Dir: filepath.Join(os.TempDir(), "wasmaot-delegation-cache")}.Compile(ctx, wasm, compiler.Options{OptLevel: 1})
	if err != nil {
		return nil, err
	}
	return rtlib.Load(obj)
}

// manifest copies examples/delegation/NAME into dir and loads it.
func manifest(t *testing.T, dir, name string) *tree.Node {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(examples, name))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, filepath.Base(name))
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	spec, err := tree.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return spec
}

type run struct {
	stdout, stderr string
	err            error
}

func runTree(t *testing.T, spec *tree.Node, after func(*tree.Tree)) run {
	t.Helper()
	// Building compiles every node (slow on a loaded machine); the run
	// itself has a minute.
	bctx, bcancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer bcancel()
	var stdout, stderr bytes.Buffer
	tr, err := tree.Build(bctx, spec, tree.Options{Stdout: &stdout, Stderr: &stderr, Compile: compile})
	if err != nil {
		return run{err: err}
	}
	defer tr.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err = tr.Run(ctx)
	if after != nil {
		after(tr)
	}
	return run{stdout.String(), stderr.String(), err}
}

// notifyDir lays out the notification story: the application's data
// directory with the secret and an empty cache.
func notifyDir(t *testing.T, dep string) string {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "data", "cache"), 0o755)
	os.WriteFile(filepath.Join(dir, "data", "secret"), []byte(seed), 0o600)
	build(t, "notify/app.c", filepath.Join(dir, "app.wasm"))
	build(t, "notify/"+dep+".c", filepath.Join(dir, dep+".wasm"))
	return dir
}

const appOut = "app: read my secret (36 bytes)\napp: done\n"

// TestNotify: the dependency as adopted writes the one message it is
// passed to the one stream it was handed (the application's stderr).
func TestNotify(t *testing.T) {
	dir := notifyDir(t, "notify")
	r := runTree(t, manifest(t, dir, "notify/tree.json"), nil)
	if r.err != nil || r.stdout != appOut || r.stderr != "notification: backup finished\n" {
		t.Errorf("err %v\nstdout %q\nstderr %q", r.err, r.stdout, r.stderr)
	}
}

// TestNotifySnoop: the compromised dependency, handed a scratch
// directory beneath the application's, tries "..", an absolute path and
// the application's own guest path: every attempt answers not-permitted
// (31) and the application works. Guessed descriptor handles name only
// the dependency's own resources, or nothing (a trap).
func TestNotifySnoop(t *testing.T) {
	dir := notifyDir(t, "snoop")
	var guesses []string
	r := runTree(t, manifest(t, dir, "notify/snoop.json"), func(tr *tree.Tree) {
		guess := tr.Instance("notify").ExportedFunc("guess")
		for h := uint64(0); h < 16; h++ {
			_, err := guess.Call(context.Background(), h)
			switch {
			case errors.Is(err, p2.ErrHandle):
				guesses = append(guesses, "trap")
			case err != nil:
				t.Errorf("guess %d: %v", h, err)
			default:
				guesses = append(guesses, "ok")
			}
		}
	})
	want := "snoop: ../secret: error-code 31\nsnoop: /data/secret: error-code 31\n" +
		"snoop: ../../data/secret: error-code 31\nnotification: backup finished\n"
	if r.err != nil || r.stdout != appOut || !strings.HasPrefix(r.stderr, want) {
		t.Errorf("err %v\nstdout %q\nstderr %q", r.err, r.stdout, r.stderr)
	}
	if strings.Contains(r.stderr, "abandon") {
		t.Errorf("the secret leaked: %q", r.stderr)
	}
	// Handles that name something in the dependency's own table get an
	// error from the filesystem (its stream is not a descriptor; its
	// cache has no secret), the rest trap.
	if n := strings.Count(strings.Join(guesses, " "), "trap"); n < 12 {
		t.Errorf("guesses %v: want most to trap", guesses)
	}
}

// TestNotifyExfil: the dependency that asks for the preopens and a TCP
// socket does not link: the error names the node and the import.
func TestNotifyExfil(t *testing.T) {
	dir := notifyDir(t, "exfil")
	r := runTree(t, manifest(t, dir, "notify/exfil.json"), nil)
	want := `tree: node "notify": import wasi:filesystem/preopens@0.2.0#get-directories is not granted (granted: stdout)`
	if r.err == nil || r.err.Error() != want {
		t.Errorf("err %v\nwant %s", r.err, want)
	}
	if r.stdout != "" {
		t.Errorf("something ran: %q", r.stdout)
	}
}

// snapshot lists every path under dir with its content or link target.
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	var lines []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			lines = append(lines, rel+" -> "+target)
		case d.IsDir():
			lines = append(lines, rel+"/")
		default:
			b, _ := os.ReadFile(p)
			lines = append(lines, rel+" = "+string(b))
		}
		return nil
	})
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// TestExtract: the application hands the extractor (a preview1 program
// as a WASI 0.2 command) one directory, /data/out, and a hostile archive
// as its stdin: "..", links that climb out, absolute names. Nothing is
// written outside /data/out; the application's code beside it is intact.
func TestExtract(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	os.MkdirAll(filepath.Join(data, "out"), 0o755)
	os.MkdirAll(filepath.Join(dir, "victim"), 0o755)
	os.WriteFile(filepath.Join(data, "app.code"), []byte("print('hello')"), 0o644)
	os.WriteFile(filepath.Join(dir, "victim", "target"), []byte("precious"), 0o644)
	archive := "F ../app.code 4\nevil" + "F ../../victim/x 4\nevil" + "L up ..\n" + "F up/app.code 4\nevil" +
		"L v ../../victim\n" + "F v/pwned 4\nevil" + "L abs " + filepath.Join(dir, "victim") + "\n" + "F abs/pwned 4\nevil" +
		"F /data/app.code 4\nevil" + "F fine 2\nok"
	os.WriteFile(filepath.Join(data, "archive"), []byte(archive), 0o644)
	build(t, "extract/app.c", filepath.Join(dir, "app.wasm"))
	command(t, filepath.Join(dir, "extract.command.wasm"))
	spec := manifest(t, dir, "extract/tree.json")
	desc := spec.Describe()
	for _, line := range []string{"node extractor (extract.command.wasm)", "    dir /out <- parent /data/out", "    stdin <- file:/data/archive", "  import extractor#run <- extractor.run()"} {
		if !strings.Contains(desc, line+"\n") {
			t.Errorf("Describe lacks %q:\n%s", line, desc)
		}
	}
	victim := snapshot(t, filepath.Join(dir, "victim"))
	r := runTree(t, spec, nil)
	want := "app: extracting the archive\n" +
		"fail F ../app.code: Operation not permitted\n" +
		"fail F ../../victim/x: Operation not permitted\n" +
		"ok L up\nfail F up/app.code: Operation not permitted\n" +
		"ok L v\nfail F v/pwned: Operation not permitted\n" +
		"fail L abs: Operation not permitted\nfail F abs/pwned: No such file or directory\n" +
		"fail F /data/app.code: No such file or directory\nok F fine\n" +
		"app: extractor reported failure\napp: my code: print('hello')\n"
	if r.err != nil || r.stdout != want {
		t.Errorf("err %v\nstdout:\n%s\nwant:\n%s", r.err, r.stdout, want)
	}
	if got := snapshot(t, filepath.Join(dir, "victim")); got != victim {
		t.Errorf("victim changed:\n%s", got)
	}
	if got, want := snapshot(t, data), "./\napp.code = print('hello')\narchive = "+archive+"\nout/\nout/fine = ok\nout/up -> ..\nout/v -> ../../victim"; got != want {
		t.Errorf("data:\n%s\nwant:\n%s", got, want)
	}
}
