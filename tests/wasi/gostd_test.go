package wasi_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wasmaot/wasmaot/rtlib/wasi"
)

// stdPackage is a Go standard-library package whose tests run on wasip1.
type stdPackage struct {
	path string
	// quick puts the package in the default set, which `go test` runs
	// without WASI_STD.
	quick bool
	// extra arguments for the test binary, each with a reason.
	args   []string
	reason string
	// notOnWazero, when set, is why the package is not run on wazero.
	notOnWazero string
}

// stdPackages are run with -test.short. Any -test.run or -test.skip has
// its reason printed in the test log.
//
// The quick set, which make test runs, is the packages the WASI issue
// names: strings and bytes, number formatting and parsing (strconv,
// math), sorting, UTF-8, encoding/json, regexp, compress/flate,
// crypto/sha256, and the file system through WASI (os). Each test binary
// carries ~3 MB of runtime and testing code and costs 25-60 s of CPU to
// compile at -O0, so the rest (WASI_STD=all; ~12 more minutes on two
// cores) is left to explicit runs.
var stdPackages = []stdPackage{
	{path: "unicode/utf8", quick: true},
	{path: "strconv", quick: true},
	{path: "sort", quick: true},
	{path: "math", quick: true},
	{path: "compress/flate", quick: true},
	{path: "os", quick: true, args: []string{"-test.skip", "^(TestOpenFileDevNull|TestDevNullFile)$"},
		reason: "the sandbox grants no /dev, so /dev/null does not exist in the guest"},
	{path: "strings", quick: true},
	{path: "bytes", quick: true},
	{path: "encoding/json", quick: true},
	{path: "regexp", quick: true},
	{path: "crypto/sha256", quick: true},
	{path: "bufio"},
	{path: "path/filepath"},
	{path: "container/list"},
	{path: "encoding/base64"},
	{path: "encoding/binary"},
	{path: "hash/crc32"},
	{path: "io"},
	{path: "text/template"},
	{path: "time"},
	{path: "unicode"},
	{path: "math/big", notOnWazero: "compute-bound: it exceeded the 10-minute limit under wazero on a loaded 2-core machine (44 s on wasmaot-native at -O0)"},
	{path: "archive/tar"},
	{path: "io/fs"},
	{path: "fmt"},
	{path: "net/url"},
	{path: "slices"},
	{path: "encoding/csv"},
}

// stdSelection says which packages TestGoStd runs, from WASI_STD: unset,
// the quick set (nothing with -short); "all", every package; "none",
// nothing; otherwise a comma-separated list of package paths.
func stdSelection() (selected func(stdPackage) bool, why string) {
	switch only := os.Getenv("WASI_STD"); only {
	case "":
		if testing.Short() {
			return func(stdPackage) bool { return false }, "-short without WASI_STD"
		}
		return func(p stdPackage) bool { return p.quick }, "not in the default set (WASI_STD=all runs every package)"
	case "none":
		return func(stdPackage) bool { return false }, "WASI_STD=none"
	case "all":
		return func(stdPackage) bool { return true }, ""
	default:
		return func(p stdPackage) bool { return slices.Contains(strings.Split(only, ","), p.path) }, "not named in WASI_STD"
	}
}

// stdEngines are the engines TestGoStd uses: those WASI_ENGINES names,
// or by default wasmaot-native, and wazero too when WASI_STD is set (it
// tells a wasmaot bug from a package that fails anywhere). The IR
// interpreter is left out by default: it ran unicode/utf8's tests about 50
// times slower than native code (20 s against 0.4 s, plus 10 s to lower).
func stdEngines() []Engine {
	if os.Getenv("WASI_ENGINES") != "" {
		return engines
	}
	out := []Engine{native}
	if os.Getenv("WASI_STD") != "" {
		out = append(out, wazeroEng)
	}
	return out
}

// stdOutcomes collects one line per package and engine for the summary.
type stdOutcomes struct {
	sync.Mutex
	lines []string
}

func (o *stdOutcomes) add(format string, args ...any) {
	o.Lock()
	o.lines = append(o.lines, fmt.Sprintf(format, args...))
	o.Unlock()
}

// TestGoStd builds each package's tests with GOOS=wasip1 GOARCH=wasm go
// test -c and runs the binary with the package source directory as its
// working directory (GOROOT preopened read-only at /goroot), an empty
// read-only root directory and a writable /tmp. Without WASI_STD it runs
// the quick set on wasmaot-native; see stdSelection for the rest. It ends
// with a summary: every package, passed, failed or not run and why.
func TestGoStd(t *testing.T) {
	selected, notRun := stdSelection()
	engs := stdEngines()
	goroot := runtime.GOROOT()
	if out, err := goCmdOutput("env", "GOROOT"); err == nil {
		goroot = strings.TrimSpace(out)
	}
	var outcomes stdOutcomes
	t.Cleanup(func() {
		slices.Sort(outcomes.lines)
		t.Logf("Go standard-library tests (-test.short):\n%s", strings.Join(outcomes.lines, "\n"))
	})
	for _, pkg := range stdPackages {
		if !selected(pkg) {
			outcomes.add("%-16s not run: %s", pkg.path, notRun)
			continue
		}
		t.Run(strings.ReplaceAll(pkg.path, "/", "_"), func(t *testing.T) {
			t.Parallel()
			wasm := goBuild(t, pkg.path, true)
			if len(pkg.args) > 0 {
				t.Logf("running with %v: %s", pkg.args, pkg.reason)
			}
			for _, eng := range engs {
				if pkg.notOnWazero != "" && eng == Engine(wazeroEng) {
					outcomes.add("%-16s not run on %s: %s", pkg.path, eng.Name(), pkg.notOnWazero)
					t.Logf("%s not run on %s: %s", pkg.path, eng.Name(), pkg.notOnWazero)
					continue
				}
				tmp, empty := t.TempDir(), t.TempDir()
				args := append([]string{filepath.Base(pkg.path) + ".test", "-test.short"}, pkg.args...)
				var compiled time.Duration
				if p, ok := eng.(preparer); ok {
					started := time.Now()
					if err := p.Prepare(wasm); err != nil {
						outcomes.add("%-16s FAIL on %s: %v", pkg.path, eng.Name(), err)
						t.Errorf("%s on %s: %v", pkg.path, eng.Name(), err)
						continue
					}
					compiled = time.Since(started)
				}
				started := time.Now()
				res := runProgram(t, eng, wasm, wasi.Config{
					Args: args,
					Env:  []string{"PWD=/goroot/src/" + pkg.path, "GOROOT=/goroot", "TMPDIR=/tmp", "HOME=/tmp"},
					Preopens: []wasi.Preopen{
						// An empty read-only "/" so that the guest's root
						// directory exists (os tests chdir to it).
						{HostPath: empty, GuestPath: "/", ReadOnly: true},
						{HostPath: goroot, GuestPath: "/goroot", ReadOnly: true},
						{HostPath: tmp, GuestPath: "/tmp"},
					},
				}, 10*time.Minute)
				failed := res.err != nil || res.exit != 0 || !strings.HasSuffix(strings.TrimSpace(res.stdout), "PASS")
				if failed {
					outcomes.add("%-16s FAIL on %s: exit %d, err %v", pkg.path, eng.Name(), res.exit, res.err)
					t.Errorf("%s on %s: exit %d, err %v\n%s\n%s", pkg.path, eng.Name(), res.exit, res.err, tail(res.stdout, 3000), tail(res.stderr, 2000))
					continue
				}
				// The object is cached: runProgram's Prepare costs nothing now.
				timing := fmt.Sprintf("compile %v, run %v", compiled.Round(time.Second), time.Since(started).Round(100*time.Millisecond))
				if _, ok := eng.(preparer); !ok {
					timing = fmt.Sprintf("compile and run %v", time.Since(started).Round(100*time.Millisecond))
				}
				outcomes.add("%-16s pass on %s (%s)", pkg.path, eng.Name(), timing)
			}
		})
	}
}

// tail returns the last n bytes of s.
func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}
