package lower

import (
	"fmt"

	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/lower/ir"
)

// A pass rewrites one function in place and keeps it valid IR.
type pass struct {
	name string
	run  func(c *passContext)
}

// passContext is what a pass sees: the function, its module and the
// statistics to add to.
type passContext struct {
	m     *wasm.Module
	f     *ir.Func
	stats *Stats
}

// Passes, in the order they run. The entry poll of a function with at
// most one call site goes first, while call sites are counted before
// versioning copies loops. Copy propagation then removes the
// redundant block parameters SSA construction leaves; constant folding
// then sees through them; bounds-check elimination runs on the simplified
// addresses; loop versioning then moves the checks left in innermost
// loops into one test before the loop; CSE merges what folding made equal
// and the guards' repeated computations; copy propagation removes the
// parameters versioning's SSA repair made redundant; DCE sweeps last.
var passes = []pass{
	{"entrypoll", entryPoll},
	{"copyprop", copyProp},
	{"constfold", constFold},
	{"boundscheck", boundsCheckElim},
	{"loopversion", loopVersion},
	{"cse", cse},
	{"copyprop", copyProp},
	{"dce", deadCode},
}

// Stats counts what the passes did, summed over functions.
type Stats struct {
	BoundsChecks        int // bounds_check instructions produced by lowering
	BoundsChecksRemoved int // of those, removed by boundscheck elimination
	LoopsVersioned      int // loops given a check-free copy by loop versioning
	BoundsChecksHoisted int // checks that copy leaves out
	LoopsUnpolled       int // versioned loops also given a copy without interrupt polls, for short runs
	EntryPollsDropped   int // function-entry interrupt polls dropped (at most one call site)
	Folded              int // instructions replaced by constants
	CSERemoved          int // instructions merged by CSE
	DeadRemoved         int // instructions removed by DCE
	ParamsRemoved       int // block parameters removed by copy propagation
}

func (s *Stats) add(o Stats) {
	s.BoundsChecks += o.BoundsChecks
	s.BoundsChecksRemoved += o.BoundsChecksRemoved
	s.LoopsVersioned += o.LoopsVersioned
	s.BoundsChecksHoisted += o.BoundsChecksHoisted
	s.LoopsUnpolled += o.LoopsUnpolled
	s.EntryPollsDropped += o.EntryPollsDropped
	s.Folded += o.Folded
	s.CSERemoved += o.CSERemoved
	s.DeadRemoved += o.DeadRemoved
	s.ParamsRemoved += o.ParamsRemoved
}

// Optimize runs the pass pipeline on f. With opts.Verify, the verifier
// runs after each pass and an error names the pass that broke the IR.
func Optimize(m *wasm.Module, f *ir.Func, opts Options) error {
	stats := opts.Stats
	if stats == nil {
		stats = &Stats{}
	}
	c := &passContext{m: m, f: f, stats: stats}
	for _, p := range passes {
		p.run(c)
		if opts.Verify {
			if err := ir.VerifyFunc(m, f); err != nil {
				return fmt.Errorf("after pass %s: %w", p.name, err)
			}
		}
	}
	return nil
}

// PassNames lists the pipeline, for documentation and tests.
func PassNames() []string {
	names := make([]string, len(passes))
	for i, p := range passes {
		names[i] = p.name
	}
	return names
}

// runPass runs the pipeline pass named name once (filetests).
func runPass(name string, m *wasm.Module, f *ir.Func, stats *Stats) error {
	for _, p := range passes {
		if p.name == name {
			p.run(&passContext{m: m, f: f, stats: stats})
			return nil
		}
	}
	return fmt.Errorf("no pass %q", name)
}
