package regalloc

import (
	"fmt"

	"github.com/wasmaot/wasmaot/lower/ir"
)

// liveness numbers the positions of a function and computes each value's
// live interval.
//
// Positions: block i of the layout starts at blockStart[i], where its
// parameters are defined; its k-th instruction is at blockStart[i]+1+k,
// so the terminator is the block's last position (blockEnd[i]).
type liveness struct {
	cfg        *ir.CFG
	blockStart []int32
	blockEnd   []int32
	defPos     []int32 // by value; -1: not defined in a reachable block
	defBlock   []int32 // by value: layout number of the defining block
	end        []int32 // by value: last live position
	calls      []int32 // positions of clobbering instructions, ascending
	blockCalls []int32 // block i's calls are calls[blockCalls[i]:blockCalls[i+1]]
	// across[v]: v is live just after some call (used after it in its
	// block, or live out of the block), so the call must preserve it. A
	// call merely inside v's interval (say on a cold path out of a loop v
	// lives through) does not count.
	across []bool
	order  []ir.Value
}

// computeLiveness numbers f's positions and computes its values' live
// intervals and which of them live across an instruction clobbers
// accepts.
func computeLiveness(f *ir.Func, clobbers func(*ir.Instr) bool, s *Scratch) (*liveness, error) {
	cfg := ir.ComputeCFGIn(f, &s.cfg)
	nv := len(f.Types)
	lv := &s.lv
	*lv = liveness{
		cfg:        cfg,
		blockStart: take(&lv.blockStart, len(cfg.RPO)),
		blockEnd:   take(&lv.blockEnd, len(cfg.RPO)),
		defPos:     take(&lv.defPos, nv),
		defBlock:   take(&lv.defBlock, nv),
		end:        take(&lv.end, nv),
		calls:      lv.calls[:0],
		blockCalls: take(&lv.blockCalls, len(cfg.RPO)+1),
		across:     take(&lv.across, nv),
		order:      lv.order[:0],
	}
	for i := range lv.defPos {
		lv.defPos[i] = -1
	}
	def := func(v ir.Value, pos int32, b int) error {
		if int(v) >= nv {
			return fmt.Errorf("regalloc: function %d: value %d out of range", f.Index, v)
		}
		if lv.defPos[v] >= 0 {
			return fmt.Errorf("regalloc: function %d: value %d defined twice", f.Index, v)
		}
		lv.defPos[v], lv.defBlock[v], lv.end[v] = pos, int32(b), pos
		lv.order = append(lv.order, v)
		return nil
	}
	var pos int32
	for i, b := range cfg.RPO {
		lv.blockStart[i] = pos
		lv.blockCalls[i] = int32(len(lv.calls))
		for _, p := range b.Params {
			if err := def(p, pos, i); err != nil {
				return nil, err
			}
		}
		for _, in := range b.Instrs {
			pos++
			for _, r := range in.Results {
				if err := def(r, pos, i); err != nil {
					return nil, err
				}
			}
			if clobbers(in) {
				lv.calls = append(lv.calls, pos)
			}
		}
		lv.blockEnd[i] = pos
		pos++
	}
	lv.blockCalls[len(cfg.RPO)] = int32(len(lv.calls))
	// Walk back from every use. visited[b] == v+1 marks block b as already
	// known to have v live-in.
	visited := take(&s.visited, len(cfg.RPO))
	work := s.work[:0]
	defer func() { s.work = work }()
	for i, b := range cfg.RPO {
		p := lv.blockStart[i]
		use := func(v ir.Value, at int32) error {
			if int(v) >= nv || lv.defPos[v] < 0 {
				return fmt.Errorf("regalloc: function %d: value %d used but not defined in a reachable block", f.Index, v)
			}
			// v is live from its definition or the block's start to at.
			lv.across[v] = lv.across[v] || lv.callBetween(i, lv.defPos[v], at)
			if int(lv.defBlock[v]) == i && lv.defPos[v] <= at {
				lv.extend(v, at)
				return nil
			}
			lv.extend(v, at)
			work = append(work[:0], i)
			for len(work) > 0 {
				bi := work[len(work)-1]
				work = work[:len(work)-1]
				if visited[bi] == int32(v)+1 {
					continue
				}
				visited[bi] = int32(v) + 1
				for _, pn := range cfg.PredNums(bi) {
					pi := int(pn)
					lv.extend(v, lv.blockEnd[pi])
					// v is live out of pred: across any call in it after
					// the definition.
					lv.across[v] = lv.across[v] || lv.callBetween(pi, lv.defPos[v], lv.blockEnd[pi]+1)
					if pi != int(lv.defBlock[v]) && visited[pi] != int32(v)+1 {
						work = append(work, pi)
					}
				}
			}
			return nil
		}
		for k, in := range b.Instrs {
			at := p + 1 + int32(k)
			for _, a := range in.Args {
				if err := use(a, at); err != nil {
					return nil, err
				}
			}
			for _, s := range in.Succs {
				for _, a := range s.Args {
					if err := use(a, at); err != nil {
						return nil, err
					}
				}
			}
		}
	}
	return lv, nil
}

func (lv *liveness) extend(v ir.Value, at int32) {
	if at > lv.end[v] {
		lv.end[v] = at
	}
}

// callBetween reports whether block i has a call at a position strictly
// between from and to.
func (lv *liveness) callBetween(i int, from, to int32) bool {
	for _, c := range lv.calls[lv.blockCalls[i]:lv.blockCalls[i+1]] {
		if c > from {
			return c < to
		}
	}
	return false
}

// intervals returns the live intervals in order of start.
func (lv *liveness) intervals(cfg *Config, types []ir.Type, s *Scratch) []interval {
	ivs := s.ivs[:0]
	defer func() { s.ivs = ivs }()
	for _, v := range lv.order {
		ivs = append(ivs, interval{v: v, start: lv.defPos[v], end: lv.end[v], class: cfg.ClassOf(types[v]), acrossCall: lv.across[v]})
	}
	return ivs
}

// Scratch is working storage for AllocateIn, for a caller that allocates
// registers for one function after another: the liveness tables, the
// intervals and the locations are reused instead of allocated anew.
type Scratch struct {
	lv      liveness
	visited []int32
	work    []int
	ivs     []interval
	locs    []Loc

	partnerStart, partnerNext []int32
	partners                  []ir.Value
	cfg                       ir.CFG
}

// take returns *buf resized to n zeroed elements, reusing its storage.
func take[T any](buf *[]T, n int) []T {
	if cap(*buf) < n {
		*buf = make([]T, n)
	} else {
		*buf = (*buf)[:n]
		clear(*buf)
	}
	return *buf
}
