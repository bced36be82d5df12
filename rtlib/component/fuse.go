package component

import "github.com/wasmaot/wasmaot/rtlib"

// Fused calls. When one component instance of a graph lowers a function
// that another lifts, and the function only passes values whose core
// representation is the value itself (s32, u32, s64, u64, f32, f64:
// nothing to check, convert or copy), the lowering is linked straight to
// the lifted core function: the call is a plain wasm-to-wasm call between
// the two core instances, each still in its own memory. NaN payloads then
// pass through unchanged, which the canonical ABI allows (its
// non-deterministic profile scrambles NaNs).
//
// Fusing skips the callee's re-entrance flag, so it is done only when the
// callee's component instance lowers nothing: it never calls out, so it
// cannot be running when the call arrives. A trap in the callee unwinds
// the caller, whose call then marks both instances trapped
// (compInstance.fused).

var identityKinds = map[Kind]bool{S32: true, U32: true, S64: true, U64: true, F32: true, F64: true}

// fusable reports whether lowering k can be linked straight to the core
// function of the lift it calls.
func (g *Graph) fusable(k int) bool {
	l := g.Lowers[k]
	if l.Callee.Lift < 0 {
		return false
	}
	lift := g.Lifts[l.Callee.Lift]
	if lift.Options.PostReturn != nil || lift.Core.Kind != ItemExport || lift.Options.Component == l.Options.Component {
		return false
	}
	if len(l.Type.Params) > MaxFlatParams {
		return false
	}
	for _, p := range l.Type.Params {
		if !identityKinds[p.Type.Kind] {
			return false
		}
	}
	if r := l.Type.Result; r != nil && !identityKinds[r.Kind] {
		return false
	}
	for _, other := range g.Lowers {
		if other.Options.Component == lift.Options.Component {
			return false // the callee calls out
		}
	}
	return true
}

// fused returns the core function lowering k is linked to, or nil when
// the lowering goes through the host.
func (inst *Instance) fused(k int) *rtlib.Func {
	if !inst.g.fusable(k) {
		return nil
	}
	l := inst.g.Lowers[k]
	lift := inst.g.Lifts[l.Callee.Lift]
	f, err := inst.coreFunc(&lift.Core)
	if err != nil {
		return nil // not instantiated yet: go through the host
	}
	caller, callee := inst.comps[l.Options.Component], inst.comps[lift.Options.Component]
	caller.fused = append(caller.fused, callee)
	return f
}
