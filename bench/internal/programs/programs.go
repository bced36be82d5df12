// Package programs describes the benchmark suite and builds each program
// natively and to wasm32-wasi (C with clang-14 and wasi-libc, Go with
// GOOS=wasip1 GOARCH=wasm).
package programs

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/wasmaot/wasmaot/bench/engine"
)

// Spec is one benchmark program.
type Spec struct {
	Name      string
	Go        bool     // a Go program under programs/<Name>; otherwise programs/c/<Name>.c
	Args      []string // scale argument, calibrated for ~0.3-1 s natively
	WasmFlags []string // extra clang flags for the wasm build
	About     string
}

// Suite lists the programs in report order.
var Suite = []Spec{
	{Name: "bintrees", Args: []string{"16"}, About: "allocation-heavy binary trees (malloc/free)"},
	{Name: "fannkuch", Args: []string{"2"}, About: "permutations and pancake flips, n=10"},
	{Name: "hashmap", Args: []string{"4500000"}, About: "open-addressing hash map: insert/lookup/delete"},
	{Name: "interp", Args: []string{"60000"}, About: "switch-dispatched bytecode interpreter"},
	{Name: "lz77", Args: []string{"5"}, About: "LZ77 compression with hash chains, and decompression"},
	{Name: "matmul", Args: []string{"720"}, About: "double-precision matrix multiply"},
	{Name: "nbody", Args: []string{"3500000"}, About: "n-body simulation (double, sqrt)"},
	{Name: "sha256", Args: []string{"12"}, About: "SHA-256 and FNV-1a over a 4 MiB buffer"},
	{Name: "sieve", Args: []string{"11"}, About: "sieve of Eratosthenes to 8M"},
	{Name: "simd", Args: []string{"130"}, WasmFlags: []string{"-msimd128"}, About: "vectorisable integer image and dot-product kernels"},
	{Name: "sort", Args: []string{"750000"}, About: "quicksort and merge sort of 750k keys"},
	{Name: "strings", Args: []string{"4"}, About: "tokenising, word counting, reversal, substring search"},
	{Name: "gojson", Go: true, Args: []string{"1"}, About: "Go: encoding/json, maps, sort, sha256 (the large module)"},
}

// Lookup returns the spec named name.
func Lookup(name string) (Spec, bool) {
	for _, s := range Suite {
		if s.Name == name {
			return s, true
		}
	}
	return Spec{}, false
}

// Build compiles every spec in specs from benchDir (the bench module's
// root) into outDir, skipping C builds that are newer than their sources,
// and returns the artifacts in the same order.
func Build(benchDir, outDir string, specs []Spec) ([]*engine.Artifact, error) {
	benchDir, err := filepath.Abs(benchDir)
	if err != nil {
		return nil, err
	}
	if outDir, err = filepath.Abs(outDir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return nil, err
	}
	var arts []*engine.Artifact
	for _, s := range specs {
		native := filepath.Join(outDir, s.Name)
		wasm := native + ".wasm"
		var err error
		if s.Go {
			err = buildGo(benchDir, s, native, wasm)
		} else {
			err = buildC(benchDir, s, native, wasm)
		}
		if err != nil {
			return nil, err
		}
		bytes, err := os.ReadFile(wasm)
		if err != nil {
			return nil, err
		}
		arts = append(arts, &engine.Artifact{Name: s.Name, Wasm: bytes, NativePath: native})
	}
	return arts, nil
}

func buildC(benchDir string, s Spec, native, wasm string) error {
	src := filepath.Join(benchDir, "programs", "c", s.Name+".c")
	header := filepath.Join(benchDir, "programs", "c", "common.h")
	if upToDate(native, src, header) && upToDate(wasm, src, header) {
		return nil
	}
	if err := run(benchDir, nil, "clang-14", "-O2", "-o", native, src, "-lm"); err != nil {
		return err
	}
	args := []string{"--target=wasm32-wasi", "-O2"}
	args = append(args, s.WasmFlags...)
	args = append(args, "-Wl,--strip-debug", "-o", wasm, src)
	return run(benchDir, nil, "clang-14", args...)
}

// buildGo always invokes the go tool, whose build cache makes repeated
// builds cheap.
func buildGo(benchDir string, s Spec, native, wasm string) error {
	pkg := "./programs/" + s.Name
	if err := run(benchDir, nil, "go", "build", "-o", native, pkg); err != nil {
		return err
	}
	return run(benchDir, []string{"GOOS=wasip1", "GOARCH=wasm"}, "go", "build", "-o", wasm, pkg)
}

// upToDate reports whether out exists and is newer than every source.
func upToDate(out string, sources ...string) bool {
	o, err := os.Stat(out)
	if err != nil {
		return false
	}
	for _, src := range sources {
		s, err := os.Stat(src)
		if err != nil || s.ModTime().After(o.ModTime()) {
			return false
		}
	}
	return true
}

func run(dir string, env []string, name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, out)
	}
	return nil
}
