package wasi_test

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/wasmaot/wasmaot/rtlib/wasi"
)

// stdPackage is a Go standard-library package whose tests run on wasip1.
type stdPackage struct {
	path string
	// extra arguments for the test binary, each with a reason.
	args   []string
	reason string
	// skip, when set, is why the package is not run.
	skip string
}

// stdPackages are run with -test.short. Any -test.run or -test.skip has
// its reason printed in the test log.
var stdPackages = []stdPackage{
	{path: "strings"},
	{path: "strconv"},
	{path: "bytes"},
	{path: "sort"},
	{path: "unicode/utf8"},
	{path: "math"},
	{path: "encoding/json"},
	{path: "regexp"},
	{path: "compress/flate"},
	{path: "crypto/sha256"},
	{path: "os", args: []string{"-test.skip", "^(TestOpenFileDevNull|TestDevNullFile)$"},
		reason: "the sandbox grants no /dev, so /dev/null does not exist in the guest"},
	{path: "path/filepath"},
	{path: "bufio"},
	{path: "container/list"},
	{path: "encoding/base64"},
	{path: "encoding/binary"},
	{path: "hash/crc32"},
	{path: "io"},
	{path: "text/template"},
	{path: "time"},
	{path: "unicode"},
	{path: "math/big", skip: "compute-bound: it exceeded the 10-minute limit under wazero on a loaded 2-core machine (not a WASI failure)"},
	{path: "archive/tar"},
	{path: "io/fs"},
	{path: "fmt"},
	{path: "net/url"},
	{path: "slices"},
	{path: "encoding/csv"},
}

// TestGoStd builds each package's tests with GOOS=wasip1 GOARCH=wasm go
// test -c and runs the binary with the package source directory as its
// working directory (GOROOT preopened read-only at /goroot), an empty
// read-only root directory and a writable /tmp. It runs only when WASI_STD names the packages ("all", or
// a comma-separated list): building and running two dozen multi-megabyte
// test binaries takes many minutes.
func TestGoStd(t *testing.T) {
	only := os.Getenv("WASI_STD")
	if only == "" {
		t.Skip("set WASI_STD=all (or WASI_STD=strings,os,…) to run Go standard-library tests; they take many minutes")
	}
	goroot := runtime.GOROOT()
	if out, err := goCmdOutput("env", "GOROOT"); err == nil {
		goroot = strings.TrimSpace(out)
	}
	for _, pkg := range stdPackages {
		if only != "all" && !strings.Contains(","+only+",", ","+pkg.path+",") {
			continue
		}
		t.Run(strings.ReplaceAll(pkg.path, "/", "_"), func(t *testing.T) {
			if pkg.skip != "" {
				t.Skip(pkg.skip)
			}
			t.Parallel()
			wasm := goBuild(t, pkg.path, true)
			if len(pkg.args) > 0 {
				t.Logf("running with %v: %s", pkg.args, pkg.reason)
			}
			for _, eng := range engines {
				tmp, empty := t.TempDir(), t.TempDir()
				args := append([]string{filepath.Base(pkg.path) + ".test", "-test.short"}, pkg.args...)
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
				if res.err != nil || res.exit != 0 || !strings.HasSuffix(strings.TrimSpace(res.stdout), "PASS") {
					t.Errorf("%s on %s: exit %d, err %v\n%s\n%s", pkg.path, eng.Name(), res.exit, res.err, tail(res.stdout, 3000), tail(res.stderr, 2000))
				}
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
