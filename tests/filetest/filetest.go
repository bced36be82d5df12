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
	"strings"
	"testing"
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
