package main

import (
	"fmt"
	"testing"

	"github.com/wasmaot/wasmaot/bench/engine"
	"github.com/wasmaot/wasmaot/bench/internal/report"
	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/lower"
)

// measureFrontEnd times the Go-side phases of wasmaot's compiler on
// module a: decoding plus validation, and lowering the validated module
// to optimised SSA IR. The rest of a wasmaot compilation is the LLVM back
// end (IR translation, opt, llc) and loading the object.
func measureFrontEnd(a *engine.Artifact, reps int) (*report.FrontEndResult, error) {
	m, err := wasm.Decode(a.Wasm)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", a.Name, err)
	}
	if err := wasm.Validate(m); err != nil {
		return nil, fmt.Errorf("validate %s: %w", a.Name, err)
	}
	if _, err := lower.Module(m, lower.Options{}); err != nil {
		return nil, fmt.Errorf("lower %s: %w", a.Name, err)
	}
	r := &report.FrontEndResult{Module: a.Name, Bytes: len(a.Wasm)}
	r.DecodeValidateNs = benchMedian(func(b *testing.B) {
		for range b.N {
			m, err := wasm.Decode(a.Wasm)
			if err == nil {
				err = wasm.Validate(m)
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	}, reps)
	// Lowering takes seconds, so testing.Benchmark runs it once or twice
	// per call; one call is enough.
	r.LowerNs = benchMedian(func(b *testing.B) {
		for range b.N {
			if _, err := lower.Module(m, lower.Options{}); err != nil {
				b.Fatal(err)
			}
		}
	}, 1)
	logf("front end on %s: decode+validate %.1f ms, lowering %.1f ms", a.Name, r.DecodeValidateNs/1e6, r.LowerNs/1e6)
	return r, nil
}
