package rtlib_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/wasmaot/wasmaot/compiler"
	"github.com/wasmaot/wasmaot/rtlib"
	"github.com/wasmaot/wasmaot/rtlib/abi"
	"github.com/wasmaot/wasmaot/rtlib/wasi"
)

// BenchmarkInstantiate measures what an edge server pays per request
// before running anything: WASI state, a new instance of an already loaded
// module, and closing both again (the "Instantiate" column of
// BENCHMARKS.md). The programs are built at benchmark time: the Go
// benchmark program bench/programs/gojson (a large module: 3.4 MiB of
// wasm, big data segments and tables) and the C sieve (a small one).
// Objects are compiled at -O0, which changes code quality but not
// instantiation work, and cached in the temporary directory by wasm hash.
//
// WASI is handed over both ways: as a host module (Config.HostModules,
// asked only for the imported functions) and as the map of every
// function (wasi.WASI.Imports in Config.HostFuncs).
func BenchmarkInstantiate(b *testing.B) {
	for _, p := range benchPrograms {
		b.Run(p.name, func(b *testing.B) {
			mod := loadBenchModule(b, p.build)
			for _, how := range []string{"hostmodule", "imports"} {
				b.Run(how, func(b *testing.B) { instantiateLoop(b, mod, p.name, how) })
			}
		})
	}
}

// instantiateLoop is the body of BenchmarkInstantiate.
func instantiateLoop(b *testing.B, mod *rtlib.Module, name, how string) {
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		w, err := wasi.New(wasi.Config{Args: []string{name}})
		if err != nil {
			b.Fatal(err)
		}
		var cfg rtlib.Config
		if how == "imports" {
			cfg.HostFuncs = map[string]map[string]abi.HostFunc{wasi.ModuleName: w.Imports()}
		} else {
			cfg.HostModules = map[string]abi.HostModule{wasi.ModuleName: w}
		}
		inst, err := mod.Instantiate(ctx, cfg)
		if err != nil {
			b.Fatal(err)
		}
		inst.Close()
		w.Close()
	}
}

var benchPrograms = []struct {
	name  string
	build func(b *testing.B, dir string) string
}{
	{"gojson", buildGoJSON},
	{"sieve", buildSieve},
}

// BenchmarkLoadInstantiate is the cold path: loading the object (parse,
// map, relocate), the first instance (which builds the module's memory
// images) and closing both.
func BenchmarkLoadInstantiate(b *testing.B) {
	for _, p := range benchPrograms {
		b.Run(p.name, func(b *testing.B) {
			obj := benchObject(b, p.build)
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				mod, err := rtlib.Load(obj)
				if err != nil {
					b.Fatal(err)
				}
				w, err := wasi.New(wasi.Config{Args: []string{p.name}})
				if err != nil {
					b.Fatal(err)
				}
				inst, err := mod.Instantiate(ctx, rtlib.Config{HostModules: map[string]abi.HostModule{wasi.ModuleName: w}})
				if err != nil {
					b.Fatal(err)
				}
				inst.Close()
				w.Close()
				mod.Close()
			}
		})
	}
}

// loadBenchModule builds a program and loads its object.
func loadBenchModule(b *testing.B, build func(*testing.B, string) string) *rtlib.Module {
	mod, err := rtlib.Load(benchObject(b, build))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { mod.Close() })
	return mod
}

// benchObject builds a program's wasm and compiles it, or takes the
// cached object.
func benchObject(b *testing.B, build func(*testing.B, string) string) []byte {
	b.Helper()
	wasmBytes, err := os.ReadFile(build(b, b.TempDir()))
	if err != nil {
		b.Fatal(err)
	}
	sum := sha256.Sum256(wasmBytes)
	cacheDir := filepath.Join(os.TempDir(), "wasmaot-rtlib-bench")
	cached := filepath.Join(cacheDir, hex.EncodeToString(sum[:12])+"-"+runtime.GOARCH+"-O0.o")
	if obj, err := os.ReadFile(cached); err == nil {
		if _, err := rtlib.ReadMeta(obj); err == nil {
			return obj
		}
		// A stale object (older format): compile anew.
	}
	obj, err := compiler.Compile(wasmBytes, compiler.Options{OptLevel: 0})
	if err != nil {
		b.Fatal(err)
	}
	if err := os.MkdirAll(cacheDir, 0o755); err == nil {
		os.WriteFile(cached, obj, 0o644)
	}
	return obj
}

// benchProgram returns a file of the benchmark programs, skipping when
// the tree does not have it.
func benchProgram(b *testing.B, rel string) string {
	path, err := filepath.Abs(filepath.Join("..", "bench", "programs", rel))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		b.Skipf("benchmark program %s not found: %v", rel, err)
	}
	return path
}

func buildGoJSON(b *testing.B, dir string) string {
	src, err := os.ReadFile(benchProgram(b, "gojson/main.go"))
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.go"), src, 0o644); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module gojson\n\ngo 1.24\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	out := filepath.Join(dir, "gojson.wasm")
	runTool(b, dir, []string{"GOOS=wasip1", "GOARCH=wasm"}, "go", "build", "-trimpath", "-buildvcs=false", "-o", out, ".")
	return out
}

func buildSieve(b *testing.B, dir string) string {
	src := benchProgram(b, "c/sieve.c")
	if _, err := exec.LookPath("clang-14"); err != nil {
		b.Skip("clang-14 is not installed")
	}
	out := filepath.Join(dir, "sieve.wasm")
	runTool(b, dir, nil, "clang-14", "--target=wasm32-wasi", "-O2", "-Wl,--strip-debug", "-o", out, src)
	return out
}

func runTool(b *testing.B, dir string, env []string, name string, args ...string) {
	b.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("%s: %v\n%s", name, err, out)
	}
}
