// Package lower translates a validated WebAssembly module into wasmaot's
// SSA IR (package lower/ir) and runs the optimisation passes over it.
//
// Module is the entry point: it lowers every defined function, then runs
// the pass pipeline (passes.go lists it). Lowering keeps wasm semantics
// exact and free of undefined behaviour for the back ends: every load and
// store is preceded by a bounds_check, integer division and float-to-int
// truncation by explicit trap_if checks, and signed remainder by -1 is
// rewritten to remainder by 1. Locals become SSA values (see ssa.go);
// unreachable code after br, return and unreachable is not lowered.
package lower

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/wasmaot/wasmaot/compiler/timing"
	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/lower/ir"
)

// Options controls lowering.
type Options struct {
	// NoPasses skips the optimisation pipeline (lowered IR as is).
	NoPasses bool
	// Passes is the pipeline to run; nil means the full one,
	// PipelineFor(MaxOptLevel). The driver sets PipelineFor(-O level).
	Passes Pipeline
	// AfterPass, if set, is called with each function after each pass
	// (for --dump=ir-after); it must not modify the function. It may be
	// called from several goroutines at once.
	AfterPass func(pass string, f *ir.Func)
	// Verify runs the IR verifier after lowering and after every pass.
	Verify bool
	// Stats, if non-nil, accumulates what the passes did.
	Stats *Stats
	// Timings, if non-nil, accumulates the time of lowering and of the
	// passes (timing.Lower, timing.Passes), summed over functions.
	Timings *timing.Timings
}

// Module lowers every defined function of m, which must be valid
// (wasm.Validate), and runs the pass pipeline unless opts.NoPasses.
// Functions are independent, so they are lowered concurrently, up to
// GOMAXPROCS at a time; the result and any error do not depend on the
// order (the error reported is the one of the lowest function index).
func Module(m *wasm.Module, opts Options) (*ir.Module, error) {
	out := &ir.Module{Wasm: m, Funcs: make([]*ir.Func, len(m.Codes))}
	errs := make([]error, len(m.Codes))
	workers := min(runtime.GOMAXPROCS(0), len(m.Codes))
	stats := make([]Stats, workers)
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			wopts := opts
			wopts.Stats = &stats[w]
			lw := &lowerer{m: m, opts: wopts}
			for {
				i := int(next.Add(1) - 1)
				if i >= len(m.Codes) {
					return
				}
				out.Funcs[i], errs[i] = lw.lowerOne(i)
			}
		}()
	}
	wg.Wait()
	if opts.Stats != nil {
		for _, s := range stats {
			opts.Stats.add(s)
		}
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Streamer lowers the functions of one module on demand, each with the
// passes of its options, like Module does for all of them at once: a back
// end calls it from its own workers as it compiles each function, so
// that only the functions in flight are in memory as IR.
type Streamer struct {
	m     *wasm.Module
	opts  Options // Stats nil: each lowerer counts its own
	stats *Stats  // the caller's, or nil

	mu   sync.Mutex
	free []*lowerer // Func's, between calls
}

// Stream returns a Streamer for m's defined functions. With opts.Stats,
// the statistics of every function it lowers are added to it.
func Stream(m *wasm.Module, opts Options) *Streamer {
	s := &Streamer{m: m, opts: opts, stats: opts.Stats}
	s.opts.Stats = nil
	return s
}

func (s *Streamer) newLowerer() *lowerer {
	lw := &lowerer{m: s.m, opts: s.opts}
	lw.opts.Stats = &lw.stats
	return lw
}

// lower lowers function i with lw and adds its statistics to s's.
func (s *Streamer) lower(lw *lowerer, i int) (*ir.Func, error) {
	if i < 0 || i >= len(s.m.Codes) {
		return nil, fmt.Errorf("lower: no defined function %d", i)
	}
	f, err := lw.lowerOne(i)
	if s.stats != nil {
		s.mu.Lock()
		s.stats.add(lw.stats)
		s.mu.Unlock()
	}
	lw.stats = Stats{}
	return f, err
}

// Func lowers defined function i (m.Codes[i]). It is safe for concurrent
// use; each call lowers afresh into new memory, taking its working
// storage from a free list (as many sets as calls at once).
func (s *Streamer) Func(i int) (*ir.Func, error) {
	s.mu.Lock()
	var lw *lowerer
	if n := len(s.free); n > 0 {
		lw, s.free = s.free[n-1], s.free[:n-1]
	} else {
		lw = s.newLowerer()
	}
	s.mu.Unlock()
	f, err := s.lower(lw, i)
	s.mu.Lock()
	s.free = append(s.free, lw)
	s.mu.Unlock()
	return f, err
}

// Worker returns a lowering function for one goroutine that, unlike Func,
// reuses the memory of the IR it returned at its previous call for the
// next function's: a caller that is done with each function before it
// asks for the next allocates no IR after its first few functions.
func (s *Streamer) Worker() func(i int) (*ir.Func, error) {
	lw := s.newLowerer()
	lw.l.a.recycle = true
	return func(i int) (*ir.Func, error) { return s.lower(lw, i) }
}

// lowerer lowers the functions of one module one at a time, keeping the
// storage of its scratch state from function to function.
type lowerer struct {
	m     *wasm.Module
	opts  Options
	l     funcLowerer
	s     scratch
	stats Stats // a Streamer's: what opts.Stats points to
}

// lowerOne lowers, verifies (with opts.Verify) and optimises defined
// function i.
func (lw *lowerer) lowerOne(i int) (*ir.Func, error) {
	m, opts, idx := lw.m, lw.opts, lw.m.NumImportedFuncs+uint32(i)
	start := opts.Timings.Start()
	f, err := lw.l.lower(m, idx)
	opts.Timings.Stop(timing.Lower, start)
	if err != nil {
		return nil, err
	}
	if opts.Verify {
		if err := ir.VerifyFunc(m, f); err != nil {
			return nil, fmt.Errorf("after lowering: %w", err)
		}
	}
	if !opts.NoPasses {
		start := opts.Timings.Start()
		err := optimize(m, f, opts, &lw.s)
		opts.Timings.Stop(timing.Passes, start)
		if err != nil {
			return nil, err
		}
	}
	return f, nil
}

// Func lowers defined function idx of m without running passes.
func Func(m *wasm.Module, idx uint32) (*ir.Func, error) {
	return new(funcLowerer).lower(m, idx)
}

// lower lowers defined function idx of m. l may have lowered other
// functions before: only the storage of its scratch state carries over.
func (l *funcLowerer) lower(m *wasm.Module, idx uint32) (*ir.Func, error) {
	ci := idx - m.NumImportedFuncs
	if idx < m.NumImportedFuncs || int(ci) >= len(m.Codes) {
		return nil, fmt.Errorf("lower: function %d is not a defined function", idx)
	}
	sig := m.FuncTypeOf(idx)
	if sig == nil {
		return nil, fmt.Errorf("lower: function %d has no type", idx)
	}
	l.m, l.cur, l.gen = m, nil, l.gen+1
	l.localTypes, l.stack, l.frames = l.localTypes[:0], l.stack[:0], l.frames[:0]
	l.defs.reset(len(m.Codes[ci].Body))
	l.a.reset(len(m.Codes[ci].Body))
	l.f = &ir.Func{Index: idx, Name: funcName(m, idx), Sig: *sig}
	l.localTypes = append(l.localTypes, sig.Params...)
	for _, run := range m.Codes[ci].Locals {
		for range run.Count {
			l.localTypes = append(l.localTypes, run.Type)
		}
	}
	if err := l.body(m.Codes[ci].Instrs()); err != nil {
		return nil, fmt.Errorf("lower: function %d: %w", idx, err)
	}
	return l.f, nil
}

// funcName returns the function's name from the name section, else its
// first export name, else "".
func funcName(m *wasm.Module, idx uint32) string {
	if n, ok := m.Names.Funcs[idx]; ok {
		return n
	}
	for _, e := range m.Exports {
		if e.Kind == wasm.ExternFunc && e.Index == idx {
			return e.Name
		}
	}
	return ""
}
