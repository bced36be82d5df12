package wasi_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wasmaot/wasmaot/rtlib/wasi"
)

// countingReader yields 0, 1, 2, … so random_get output is predictable.
type countingReader struct{ next byte }

func (r *countingReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = r.next
		r.next++
	}
	return len(p), nil
}

// expect checks a run's exit code and exact stdout (and stderr when want
// is non-empty).
func expect(t *testing.T, res result, exit uint32, stdout, stderr string) {
	t.Helper()
	if res.err != nil {
		t.Fatalf("run failed: %v\nstdout:\n%s\nstderr:\n%s", res.err, res.stdout, res.stderr)
	}
	if res.exit != exit {
		t.Errorf("exit code %d, want %d\nstderr:\n%s", res.exit, exit, res.stderr)
	}
	if res.stdout != stdout {
		t.Errorf("stdout:\n%s\nwant:\n%s", res.stdout, stdout)
	}
	if stderr != "" && res.stderr != stderr {
		t.Errorf("stderr:\n%s\nwant:\n%s", res.stderr, stderr)
	}
}

func TestCHello(t *testing.T) {
	wasm := cProgram(t, "hello")
	for _, eng := range engines {
		t.Run(eng.Name(), func(t *testing.T) {
			res := runProgram(t, eng, wasm, wasi.Config{
				Args: []string{"hello", "one", "two words"},
				Env:  []string{"GREETING=hi there", "EMPTY="},
			}, time.Minute)
			expect(t, res, 7, "argc=3\nargv[0]=hello\nargv[1]=one\nargv[2]=two words\n"+
				"environ entries=2\nGREETING=hi there\nHOME=(unset)\n", "to stderr\n")
		})
	}
}

func TestCStdin(t *testing.T) {
	wasm := cProgram(t, "stdin")
	in := strings.Repeat("hello, wasi\n", 1000) + "no newline"
	want := strings.ToUpper(in) + "bytes=12010 lines=1000\n"
	for _, eng := range engines {
		t.Run(eng.Name(), func(t *testing.T) {
			res := runProgram(t, eng, wasm, wasi.Config{Args: []string{"stdin"}, Stdin: strings.NewReader(in)}, time.Minute)
			expect(t, res, 0, want, "")
		})
	}
}

func TestCClockRandom(t *testing.T) {
	wasm := cProgram(t, "clockrand")
	fixed := time.Unix(1_000_000_000, 123_456_789)
	for _, eng := range engines {
		t.Run(eng.Name(), func(t *testing.T) {
			res := runProgram(t, eng, wasm, wasi.Config{
				Args:   []string{"clockrand"},
				Now:    func() time.Time { return fixed },
				Random: &countingReader{},
			}, time.Minute)
			expect(t, res, 0, "realtime=1000000000.123456789\ntime()=1000000000\n"+
				"slept at least 20ms: yes\nprocess cputime: ok\nrandom=000102030405060708090a0b0c0d0e0f\n"+
				"rand() seeded by arc4random: varies\n", "")
		})
	}
}

// golden reads the expected output of a program from testdata.
func golden(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestCFiles(t *testing.T) {
	wasm := cProgram(t, "files")
	want := golden(t, "c/files.out")
	for _, eng := range engines {
		t.Run(eng.Name(), func(t *testing.T) {
			dir := t.TempDir()
			res := runProgram(t, eng, wasm, wasi.Config{
				Args:     []string{"files"},
				Preopens: []wasi.Preopen{{HostPath: dir, GuestPath: "/sandbox"}},
			}, time.Minute)
			expect(t, res, 0, want, "")
			// The program's effects are visible on the host.
			if b, err := os.ReadFile(filepath.Join(dir, "a.txt")); err != nil || string(b) != "hello+tail" {
				t.Errorf("host a.txt = %q, %v", b, err)
			}
			if b, err := os.ReadFile(filepath.Join(dir, "moved")); err != nil || string(b) != "deep" {
				t.Errorf("host moved = %q, %v", b, err)
			}
		})
	}
}
