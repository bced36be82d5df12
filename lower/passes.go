package lower

import (
	"fmt"
	"slices"

	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/lower/ir"
)

// A pass rewrites one function in place and keeps it valid IR. Every
// pass is an optimisation: the IR is correct (every guard in place) before
// and after each, so any subset in the table's order is a valid pipeline.
type pass struct {
	name string
	run  func(c *passContext)
	// level is the lowest -O level the pass runs at.
	level int
}

// passContext is what a pass sees: the function, its module and the
// statistics to add to, and the function's CFG shared by the passes.
type passContext struct {
	m     *wasm.Module
	f     *ir.Func
	stats *Stats
	s     *scratch

	// cfg and kids (its dominator tree) are computed on first use and
	// kept until a pass changes edges or adds blocks: such a pass calls
	// edgesChanged. Passes that only remove unreachable blocks leave them
	// valid (the CFG holds reachable blocks only).
	cfg  *ir.CFG
	kids [][]*ir.Block
	// spare, if set, is storage for the first CFG computed (the
	// worker's, from the previous function); later ones are new.
	spare *ir.CFG
}

// CFG returns the function's control-flow graph.
func (c *passContext) CFG() *ir.CFG {
	if c.cfg == nil {
		c.cfg, c.spare = ir.ComputeCFGIn(c.f, c.spare), nil
	}
	return c.cfg
}

// domKids returns the dominator tree (ir.CFG.Children) of c.CFG().
func (c *passContext) domKids() [][]*ir.Block {
	if c.kids == nil {
		c.kids = c.CFG().Children()
	}
	return c.kids
}

// edgesChanged drops the CFG after a change to edges or blocks.
func (c *passContext) edgesChanged() {
	c.cfg, c.kids = nil, nil
}

// MaxOptLevel is the highest -O level; the nil Pipeline runs its passes.
const MaxOptLevel = 3

// passes, in the order they run (the reasons are in passOrder). -O0 keeps
// the cheap clean-ups, which shrink what the back end must compile (llc
// -O0's frames grow with the number of values); -O1 adds the guard
// eliminations and CSE; loop versioning, which trades code size for
// speed, waits for -O2.
var passes = []pass{
	{"entrypoll", entryPoll, 1},
	{"copyprop", copyProp, 0},
	{"constfold", constFold, 0},
	{"boundscheck", boundsCheckElim, 1},
	{"loopversion", loopVersion, 2},
	{"cse", cse, 1},
	{"copyprop", copyProp, 0},
	{"dce", deadCode, 0},
}

// passOrder lists what must run before what, wherever both run; init and
// TestPassOrder check the table against it at every level.
var passOrder = []struct{ before, after, why string }{
	{"entrypoll", "loopversion", "entrypoll counts a function's call sites, which versioning copies with the loops"},
	{"copyprop", "constfold", "constant folding sees through the block parameters SSA construction leaves and copyprop removes"},
	{"constfold", "boundscheck", "bounds-check elimination compares the folded addresses and extents"},
	{"boundscheck", "loopversion", "versioning hoists only the checks elimination could not remove"},
	{"loopversion", "cse", "CSE merges what folding made equal and the repeated guard computations versioning adds"},
	{"loopversion", "copyprop", "versioning's SSA repair leaves redundant block parameters for copyprop"},
	{"cse", "dce", "DCE sweeps what CSE and the others left unused"},
}

func init() {
	if err := checkPassOrder(passes); err != nil {
		panic(err)
	}
}

// checkPassOrder verifies passOrder against table's pipeline at every
// level: the first run of each "before" precedes the last run of its
// "after" wherever both run.
func checkPassOrder(table []pass) error {
	for _, c := range passOrder {
		for _, name := range []string{c.before, c.after} {
			if !slices.ContainsFunc(table, func(p pass) bool { return p.name == name }) {
				return fmt.Errorf("lower: pass order names an unknown pass %q", name)
			}
		}
	}
	for level := 0; level <= MaxOptLevel; level++ {
		var pl []string
		for _, p := range table {
			if p.level <= level {
				pl = append(pl, p.name)
			}
		}
		for _, c := range passOrder {
			first, last := slices.Index(pl, c.before), -1
			for i, name := range pl {
				if name == c.after {
					last = i
				}
			}
			if first >= 0 && last >= 0 && first > last {
				return fmt.Errorf("lower: at -O%d, %s runs after %s, but must run before it: %s", level, c.before, c.after, c.why)
			}
		}
	}
	return nil
}

// Pipeline is a list of pass names, run in order (see PipelineFor).
type Pipeline []string

// PipelineFor is the pipeline of -O level (0..MaxOptLevel).
func PipelineFor(level int) Pipeline {
	pl := Pipeline{}
	for _, p := range passes {
		if p.level <= level {
			pl = append(pl, p.name)
		}
	}
	return pl
}

// Stats counts what the passes did, summed over functions.
type Stats struct {
	BoundsChecks        int // bounds_check instructions produced by lowering
	BoundsChecksRemoved int // of those, removed by boundscheck elimination
	LoopsVersioned      int // loops given a check-free copy by loop versioning
	BoundsChecksHoisted int // checks that copy leaves out
	LoopsUnpolled       int // versioned loops also given a copy without interrupt polls, for short runs
	EntryPollsDropped   int // function-entry interrupt polls dropped (at most one call site, or a poll next)
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

// Optimize runs the pipeline opts.Passes (nil: PipelineFor(MaxOptLevel))
// on f. With opts.Verify, the verifier runs after each pass and an error
// names the pass that broke the IR; opts.AfterPass sees f after each.
func Optimize(m *wasm.Module, f *ir.Func, opts Options) error {
	return optimize(m, f, opts, new(scratch))
}

// optimize is Optimize with the passes' working storage s.
func optimize(m *wasm.Module, f *ir.Func, opts Options, s *scratch) error {
	stats := opts.Stats
	if stats == nil {
		stats = &Stats{}
	}
	pl := opts.Passes
	if pl == nil {
		pl = PipelineFor(MaxOptLevel)
	}
	c := &passContext{m: m, f: f, stats: stats, s: s, spare: &s.cfg}
	for _, name := range pl {
		p, err := passNamed(name)
		if err != nil {
			return err
		}
		p.run(c)
		if opts.Verify {
			if err := ir.VerifyFunc(m, f); err != nil {
				return fmt.Errorf("after pass %s: %w", p.name, err)
			}
		}
		if opts.AfterPass != nil {
			opts.AfterPass(name, f)
		}
	}
	return nil
}

// PassNames lists the passes of the full pipeline in order (a pass may
// appear twice).
func PassNames() []string { return PipelineFor(MaxOptLevel) }

func passNamed(name string) (pass, error) {
	for _, p := range passes {
		if p.name == name {
			return p, nil
		}
	}
	return pass{}, fmt.Errorf("lower: no pass %q (have %v)", name, PassNames())
}

// runPass runs the pass named name once (filetests).
func runPass(name string, m *wasm.Module, f *ir.Func, stats *Stats) error {
	p, err := passNamed(name)
	if err != nil {
		return err
	}
	p.run(&passContext{m: m, f: f, stats: stats, s: new(scratch)})
	return nil
}
