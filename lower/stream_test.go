package lower

import (
	"sync"
	"testing"

	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/compiler/wat"
	"github.com/wasmaot/wasmaot/lower/ir"
)

// TestStreamMatchesModule lowers every function of a module through
// Stream, from several goroutines at once and each function twice, and
// compares the IR and the summed statistics with Module's.
func TestStreamMatchesModule(t *testing.T) {
	bin, err := wat.Parse([]byte(`(module (memory 1)
	  (func (param i32) (result i32) (local i32)
	    (loop $l (local.set 1 (i32.add (local.get 1) (i32.load (local.get 0))))
	      (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 4)))))
	    (local.get 1))
	  (func (param i64 i64) (result i64) (i64.rem_s (local.get 0) (local.get 1)))
	  (func (param i32) (result i32)
	    (if (result i32) (local.get 0) (then (i32.load8_u (i32.const 3))) (else (i32.const 9)))))`))
	if err != nil {
		t.Fatal(err)
	}
	m, err := wasm.Decode(bin)
	if err != nil {
		t.Fatal(err)
	}
	if err := wasm.Validate(m); err != nil {
		t.Fatal(err)
	}
	var want Stats
	whole, err := Module(m, Options{Stats: &want})
	if err != nil {
		t.Fatal(err)
	}
	var got Stats
	s := Stream(m, Options{Stats: &got})
	lowerFn := s.Func
	const rounds = 2
	var wg sync.WaitGroup
	texts := make([][]string, rounds)
	for r := range rounds {
		texts[r] = make([]string, len(m.Codes))
		for i := range m.Codes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				f, err := lowerFn(i)
				if err != nil {
					t.Error(err)
					return
				}
				texts[r][i] = f.String()
			}()
		}
	}
	wg.Wait()
	for r := range rounds {
		for i, f := range whole.Funcs {
			if texts[r][i] != f.String() {
				t.Errorf("round %d, function %d: streamed IR\n%s\nModule's\n%s", r, i, texts[r][i], f)
			}
		}
	}
	// One worker, in order and then again: each function's IR is
	// printed before the next call reuses its memory.
	work := s.Worker()
	var first *ir.Instr
	for round := range rounds {
		for i, f := range whole.Funcs {
			g, err := work(i)
			if err != nil {
				t.Fatal(err)
			}
			if g.String() != f.String() {
				t.Errorf("worker round %d, function %d: IR\n%s\nModule's\n%s", round, i, g, f)
			}
			if i == 0 && round == 0 {
				first = g.Blocks[0].Instrs[0]
			} else if i == 0 && g.Blocks[0].Instrs[0] != first {
				t.Error("the worker did not reuse the memory of the IR of its previous calls")
			}
		}
	}
	want.add(want)
	want.add(want) // two rounds of Func, two of the worker
	if got != want {
		t.Errorf("stats %+v, want %+v", got, want)
	}
	if _, err := lowerFn(len(m.Codes)); err == nil {
		t.Error("no error for a function beyond the module's")
	}
}
