package wasm

import (
	"errors"
	"io"
	"testing"
)

// FuzzDecode feeds arbitrary bytes to Decode, InstrReader and Validate:
// each must return an *Error or succeed, never panic. The seed corpus is
// testdata/fuzz/FuzzDecode plus every binary module of the spec suite when
// wast2json is available.
func FuzzDecode(f *testing.F) {
	suite.once.Do(splitSuite)
	for _, sm := range suite.modules {
		f.Add(sm.bin)
	}
	f.Fuzz(func(t *testing.T, bin []byte) {
		m, err := Decode(bin)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Kind != Malformed {
				t.Fatalf("Decode error %T %v is not a Malformed *Error", err, err)
			}
			return
		}
		// Decode checked every body, so reading one must reach its end.
		var in Instr
		for i := range m.Codes {
			r := m.Codes[i].Instrs()
			for {
				err := r.Next(&in)
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("function %d: Decode accepted a body InstrReader rejects: %v", i, err)
				}
			}
		}
		if err := Validate(m); err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Validate error %T %v is not an *Error", err, err)
			}
		}
	})
}
