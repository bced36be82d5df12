// Package filetest runs golden file tests ("filetests"): text files of the
// form
//
//	;; test: KIND ARGS
//	<input>
//	;; expect:
//	<expected output>
//
// for which a test computes the output from KIND ARGS and the input. The
// IR passes (lower), the LLVM tier's translation (backend/llvm) and the
// native back ends' disassembly use it. With -update the expected parts
// are rewritten; review the diff before committing it.
package filetest

import (
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/compiler/wat"
	"github.com/wasmaot/wasmaot/lower/ir"
)

var update = flag.Bool("update", false, "rewrite the expected output of filetests")

// Run runs every file matching glob as a subtest: run gets the text after
// ";; test: " and the input, and returns the output (or fails t).
func Run(t *testing.T, glob string, run func(t *testing.T, kind, input string) string) {
	t.Helper()
	files, err := filepath.Glob(glob)
	if err != nil || len(files) == 0 {
		t.Fatalf("no filetests match %s", glob)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			head, rest, ok := strings.Cut(string(src), "\n")
			kind, ok2 := strings.CutPrefix(head, ";; test: ")
			input, want, ok3 := strings.Cut(rest, ";; expect:\n")
			if !ok || !ok2 || !ok3 {
				t.Fatal("malformed filetest: want ';; test: KIND', the input, ';; expect:', the output")
			}
			got := run(t, strings.TrimSpace(kind), input)
			if t.Failed() {
				return
			}
			if *update {
				if err := os.WriteFile(file, []byte(head+"\n"+input+";; expect:\n"+got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if got != want {
				t.Errorf("output differs; got:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

// Module builds the IR module of a back-end filetest input: the lines
// starting ";; wasm:" form a WAT module giving the context (types,
// memories, tables…), the rest is the IR text of its defined functions,
// which is verified against that module.
func Module(t *testing.T, input string) *ir.Module {
	t.Helper()
	var wasmSrc, irSrc strings.Builder
	for _, line := range strings.SplitAfter(input, "\n") {
		if w, ok := strings.CutPrefix(line, ";; wasm:"); ok {
			wasmSrc.WriteString(w)
		} else {
			irSrc.WriteString(line)
		}
	}
	bin, err := wat.Parse([]byte(wasmSrc.String()))
	if err != nil {
		t.Fatalf("wasm: %v", err)
	}
	wm, err := wasm.Decode(bin)
	if err == nil {
		err = wasm.Validate(wm)
	}
	if err != nil {
		t.Fatalf("wasm: %v", err)
	}
	m, err := ir.Parse(irSrc.String())
	if err != nil {
		t.Fatalf("IR: %v", err)
	}
	m.Wasm = wm
	sort.Slice(m.Funcs, func(i, j int) bool { return m.Funcs[i].Index < m.Funcs[j].Index })
	for _, f := range m.Funcs {
		if err := ir.VerifyFunc(wm, f); err != nil {
			t.Fatalf("IR: %v", err)
		}
	}
	return m
}
