package compiler

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"sync"

	"github.com/wasmaot/wasmaot/backend"
	"github.com/wasmaot/wasmaot/lower"
	"github.com/wasmaot/wasmaot/lower/ir"
)

// Dump selects views of a compilation, written to W in pipeline order
// (`wasmaot compile --dump=...`).
type Dump struct {
	W io.Writer
	// IR is the IR after the passes of the -O level: what the back end
	// gets (--dump=ir).
	IR bool
	// IRAfter names a pass; the IR of every function is shown after each
	// run of it (--dump=ir-after=PASS).
	IRAfter string
	// Text is the back end's own text form, if it has one (the LLVM tier's
	// LLVM IR, before opt: --dump=llvm).
	Text bool
	// Asm is the disassembly of the object's functions (--dump=asm).
	Asm bool
}

// wantsIR reports whether a view needs the IR of the whole module
// before code generation (so the driver must not stream it).
func (d *Dump) wantsIR() bool {
	return d != nil && (d.IR || d.IRAfter != "" || d.Text)
}

// afterPass installs the --dump=ir-after hook into lopts; the returned
// function writes what it collected.
func (d *Dump) afterPass(lopts *lower.Options) (func() error, error) {
	if d == nil || d.IRAfter == "" {
		return func() error { return nil }, nil
	}
	if !slices.Contains(lower.PassNames(), d.IRAfter) {
		return nil, fmt.Errorf("--dump=ir-after=%s: no such pass (have %v)", d.IRAfter, lower.PassNames())
	}
	if !slices.Contains(lopts.Passes, d.IRAfter) {
		return nil, fmt.Errorf("--dump=ir-after=%s: the pass does not run at this -O level (which runs %v)", d.IRAfter, lopts.Passes)
	}
	type snapshot struct {
		fn   uint32
		run  int
		text string
	}
	var mu sync.Mutex
	var shots []snapshot
	runs := map[uint32]int{}
	lopts.AfterPass = func(pass string, f *ir.Func) {
		if pass != d.IRAfter {
			return
		}
		text := f.String()
		mu.Lock()
		defer mu.Unlock()
		runs[f.Index]++
		shots = append(shots, snapshot{f.Index, runs[f.Index], text})
	}
	return func() error {
		sort.Slice(shots, func(i, j int) bool {
			if shots[i].fn != shots[j].fn {
				return shots[i].fn < shots[j].fn
			}
			return shots[i].run < shots[j].run
		})
		for _, s := range shots {
			if _, err := fmt.Fprintf(d.W, "; after %s (run %d), function %d\n%s\n", d.IRAfter, s.run, s.fn, s.text); err != nil {
				return err
			}
		}
		return nil
	}, nil
}

// beforeCodegen writes the IR views and the back end's text form.
func (d *Dump) beforeCodegen(afterPass func() error, in *backend.Input, be backend.Backend, opts backend.Options) error {
	if d == nil {
		return nil
	}
	if err := afterPass(); err != nil {
		return err
	}
	if d.IR {
		if _, err := fmt.Fprintf(d.W, "; IR after the passes of -O%d, for back end %s, target %v\n%s\n", opts.OptLevel, be.Name(), in.Target, in.Module.String()); err != nil {
			return err
		}
	}
	if d.Text {
		td, ok := be.(backend.TextDumper)
		if !ok {
			return fmt.Errorf("--dump: back end %s has no text form to show", be.Name())
		}
		if err := td.DumpText(in, opts, d.W); err != nil {
			return err
		}
	}
	return nil
}

// afterCodegen writes the disassembly.
func (d *Dump) afterCodegen(obj []byte) error {
	if d == nil || !d.Asm {
		return nil
	}
	return backend.Disassemble(obj, d.W)
}
