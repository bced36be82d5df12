package llvm

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/lower"
)

// goHelloWasm builds Go's hello world for wasip1 in a temporary directory:
// a 2.6 MB module of about 1,800 functions, the size of real programs.
func goHelloWasm(b *testing.B) []byte {
	b.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		b.Skip("no go toolchain in PATH to build the wasip1 hello world")
	}
	dir := b.TempDir()
	src := "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello, world\") }\n"
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o644); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module hello\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(goTool, "build", "-o", "hello.wasm", ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "GOFLAGS=")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("building the wasip1 hello world: %v\n%s", err, out)
	}
	bin, err := os.ReadFile(filepath.Join(dir, "hello.wasm"))
	if err != nil {
		b.Fatal(err)
	}
	return bin
}

// BenchmarkGoHello measures the Go side of compiling a large module:
// lower.Module (lowering and passes) and Translate (LLVM text), without
// opt and llc. It reports the size of the LLVM text.
func BenchmarkGoHello(b *testing.B) {
	bin := goHelloWasm(b)
	wm, err := wasm.Decode(bin)
	if err != nil {
		b.Fatal(err)
	}
	if err := wasm.Validate(wm); err != nil {
		b.Fatal(err)
	}
	tgt, _ := TargetFor("amd64")
	b.Run("lower", func(b *testing.B) {
		for b.Loop() {
			if _, err := lower.Module(wm, lower.Options{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	m, err := lower.Module(wm, lower.Options{})
	if err != nil {
		b.Fatal(err)
	}
	opts := withMeta(b, m, Options{Target: tgt})
	b.Run("translate", func(b *testing.B) {
		size := 0
		for b.Loop() {
			mods, err := Translate(m, opts)
			if err != nil {
				b.Fatal(err)
			}
			size = 0
			for _, mod := range mods {
				size += len(mod)
			}
		}
		b.ReportMetric(float64(size)/1e6, "MB-IR")
	})
}
