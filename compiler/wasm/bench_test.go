package wasm

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// goProgram is a small program whose GOOS=wasip1 build is a realistic
// large module: several MB, thousands of functions.
const goProgram = `package main

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
)

func main() {
	re := regexp.MustCompile(` + "`(\\w+)@(\\w+)\\.com`" + `)
	out, _ := json.Marshal(map[string]any{"m": re.FindAllStringSubmatch(strings.Join(os.Args, " "), -1)})
	fmt.Println(string(out))
}
`

var goWasm struct {
	once sync.Once
	bin  []byte
	err  string
}

// buildGoWasm compiles goProgram with GOOS=wasip1 GOARCH=wasm, once per
// test binary.
func buildGoWasm(tb testing.TB) []byte {
	tb.Helper()
	goWasm.once.Do(func() {
		goTool, err := exec.LookPath("go")
		if err != nil {
			goWasm.err = "go tool not found: " + err.Error()
			return
		}
		dir, err := os.MkdirTemp("", "wasm-goprog-")
		if err != nil {
			goWasm.err = err.Error()
			return
		}
		defer os.RemoveAll(dir)
		files := map[string]string{"go.mod": "module goprog\n\ngo 1.24\n", "main.go": goProgram}
		for name, text := range files {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
				goWasm.err = err.Error()
				return
			}
		}
		cmd := exec.Command(goTool, "build", "-o", "prog.wasm", ".")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "GOTOOLCHAIN=local", "GOFLAGS=")
		if out, err := cmd.CombinedOutput(); err != nil {
			goWasm.err = "building the wasip1 program: " + err.Error() + "\n" + string(out)
			return
		}
		goWasm.bin, err = os.ReadFile(filepath.Join(dir, "prog.wasm"))
		if err != nil {
			goWasm.err = err.Error()
		}
	})
	if goWasm.err != "" {
		tb.Skip(goWasm.err)
	}
	return goWasm.bin
}

// TestGoProgram checks that a real Go-built module decodes, validates and
// reads back instruction by instruction.
func TestGoProgram(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a Go program for wasip1; skipped in -short mode")
	}
	bin := buildGoWasm(t)
	m, err := Decode(bin)
	if err != nil {
		t.Fatal(err)
	}
	if err := Validate(m); err != nil {
		t.Fatal(err)
	}
	if _, ok := m.ExportedFunc("_start"); !ok {
		t.Error("no _start export")
	}
	if len(m.Names.Funcs) == 0 {
		t.Error("name section not decoded")
	}
	n := countInstrs(t, m)
	t.Logf("%d bytes, %d functions, %d instructions", len(bin), len(m.Codes), n)
}

func countInstrs(tb testing.TB, m *Module) int {
	n := 0
	var in Instr
	for i := range m.Codes {
		r := m.Codes[i].Instrs()
		for {
			err := r.Next(&in)
			if err == io.EOF {
				break
			}
			if err != nil {
				tb.Fatal(err)
			}
			n++
		}
	}
	return n
}

// BenchmarkDecodeValidate measures Decode plus Validate of the Go program.
func BenchmarkDecodeValidate(b *testing.B) {
	bin := buildGoWasm(b)
	b.SetBytes(int64(len(bin)))
	b.ReportAllocs()
	for b.Loop() {
		m, err := Decode(bin)
		if err != nil {
			b.Fatal(err)
		}
		if err := Validate(m); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecode measures Decode alone (it includes the syntax check of
// every body).
func BenchmarkDecode(b *testing.B) {
	bin := buildGoWasm(b)
	b.SetBytes(int64(len(bin)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(bin); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkInstrReader measures reading every instruction of the Go
// program; allocs/op shows the reader's allocations over a whole module.
func BenchmarkInstrReader(b *testing.B) {
	bin := buildGoWasm(b)
	m, err := Decode(bin)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n = countInstrs(b, m)
	}
	b.ReportMetric(float64(n), "instrs/op")
}
