package lower

import (
	"testing"

	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/compiler/wat"
	"github.com/wasmaot/wasmaot/lower/ir"
	"github.com/wasmaot/wasmaot/tests/filetest"
)

// Filetests live in testdata/*.txt (format: tests/filetest):
//
//	;; test: lower        (input: a WAT module; output: its IR, no passes)
//	;; test: <pass name>  (input: IR text; output: IR after that one pass)
//
// The verifier runs on the input and on the output.
func TestFiletests(t *testing.T) {
	filetest.Run(t, "testdata/*.txt", func(t *testing.T, kind, input string) string {
		out, err := runFiletest(kind, input)
		if err != nil {
			t.Fatal(err)
		}
		return out
	})
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
