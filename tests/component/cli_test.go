package component_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCLI drives `wasmaot inspect`, `compile` and `run --invoke` on a
// component and its object.
func TestCLI(t *testing.T) {
	needLLVM(t)
	dir := t.TempDir()
	bin := filepath.Join(dir, "wasmaot")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/wasmaot").CombinedOutput(); err != nil {
		t.Fatalf("building wasmaot: %v\n%s", err, out)
	}
	witDir := t.TempDir()
	if err := os.Mkdir(filepath.Join(witDir, "wit"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(witDir, "wit", "world.wit"), []byte(corpusWIT()))
	compPath := filepath.Join(dir, "corpus.wasm")
	write(t, compPath, buildComponentEncoding(t, corpusWIT(), "corpus", []byte(corpusWAT(corpusFuncs(t, witDir))), "utf8"))
	objPath := filepath.Join(dir, "corpus.o")

	run := func(wantCode int, args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, args...)
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
		if code != wantCode {
			t.Fatalf("wasmaot %s: exit %d, want %d\n%s%s", strings.Join(args, " "), code, wantCode, stdout.String(), stderr.String())
		}
		return stdout.String() + stderr.String()
	}
	for _, want := range []string{"export test:corpus/api;", "record point", "echo-string: func(x: string, pad: pad) -> string;"} {
		if out := run(0, "inspect", compPath); !strings.Contains(out, want) {
			t.Errorf("inspect of the component lacks %q:\n%s", want, out)
		}
	}
	run(0, "compile", compPath, "-o", objPath)
	if out := run(0, "inspect", objPath); !strings.Contains(out, "add-point: func(a: record { x: s32, y: s32 }, b: record { x: s32, y: s32 }) -> record { x: s32, y: s32 };") {
		t.Errorf("inspect of the object lacks add-point:\n%s", out)
	}
	for _, path := range []string{compPath, objPath} {
		for _, c := range []struct {
			args []string
			want string
		}{
			{[]string{"test:corpus/api#add-point", "{x: 1, y: 2}", "{x: 3, y: -4}"}, "{x: 4, y: -2}"},
			{[]string{"test:corpus/api#divmod", "17", "5"}, "(3, 2)"},
			{[]string{"test:corpus/api#len", `"héllo"`}, "6"},
			{[]string{"test:corpus/api#pick", "named(\"abc\")"}, "3"},
			{[]string{"test:corpus/api#echo-option-option", "some(some(\"x\\u{1F600}\"))", "(" + strings.Repeat("0, ", 15) + "0)"}, `some(some("x😀"))`},
			{[]string{"test:corpus/api#echo-perms", "{read, exec}", "(" + strings.Repeat("0, ", 15) + "0)"}, "{read, exec}"},
		} {
			args := append([]string{"run", "--invoke", c.args[0], path}, c.args[1:]...)
			if out := strings.TrimSpace(run(0, args...)); out != c.want {
				t.Errorf("wasmaot %s: %q, want %q", strings.Join(args, " "), out, c.want)
			}
		}
	}
	if out := run(134, "run", "--invoke", "test:corpus/api#bad-char", objPath); !strings.Contains(out, "not a Unicode scalar value") {
		t.Errorf("bad-char: %s", out)
	}
	if out := run(2, "run", "--invoke", "test:corpus/api#divmod", objPath, "1", "x"); !strings.Contains(out, "argument 2") {
		t.Errorf("bad argument: %s", out)
	}
}
