package lower

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/compiler/wat"
	"github.com/wasmaot/wasmaot/lower/ir"
)

var update = flag.Bool("update", false, "rewrite the expected output of filetests")

// Filetests live in testdata/*.txt:
//
//	;; test: lower        (input: a WAT module; output: its IR, no passes)
//	;; test: <pass name>  (input: IR text; output: IR after that one pass)
//	<input>
//	;; expect:
//	<expected output>
//
// The verifier runs on the input and on the output. go test -update
// rewrites the expected parts.
func TestFiletests(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatal("no filetests in testdata")
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
				t.Fatal("malformed filetest: want ';; test: KIND', input, ';; expect:', output")
			}
			got, err := runFiletest(strings.TrimSpace(kind), input)
			if err != nil {
				t.Fatal(err)
			}
			if *update {
				out := head + "\n" + input + ";; expect:\n" + got
				if err := os.WriteFile(file, []byte(out), 0o644); err != nil {
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

func runFiletest(kind, input string) (string, error) {
	if kind == "lower" {
		bin, err := wat.Parse([]byte(input))
		if err != nil {
			return "", err
		}
		m, err := wasm.Decode(bin)
		if err != nil {
			return "", err
		}
		if err := wasm.Validate(m); err != nil {
			return "", err
		}
		irm, err := Module(m, Options{NoPasses: true, Verify: true})
		if err != nil {
			return "", err
		}
		return irm.String(), nil
	}
	m, err := ir.Parse(input)
	if err != nil {
		return "", err
	}
	if err := m.Verify(); err != nil {
		return "", err
	}
	for _, f := range m.Funcs {
		if err := runPass(kind, nil, f, &Stats{}); err != nil {
			return "", err
		}
	}
	if err := m.Verify(); err != nil {
		return "", err
	}
	return m.String(), nil
}
