package arm64

import (
	"fmt"

	w "github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/lower/ir"
)

// This file selects NEON instructions for the v128 operations, as rules:
// lane-wise binary and unary operations map to one instruction (tables
// simdBinary and simdUnary, with notes on why NEON agrees with wasm);
// the rest have a small emitter each (simdSpecial).

// simdBinary: rd = op(a, b) lane-wise; swap computes op(b, a) (lt and le
// from gt and ge); not inverts the result (ne).
var simdBinary = map[w.Opcode]struct {
	op        VOp
	arr       Arr
	swap, not bool
}{
	w.OpI8x16Add: {op: VADD, arr: B16}, w.OpI16x8Add: {op: VADD, arr: H8}, w.OpI32x4Add: {op: VADD, arr: S4}, w.OpI64x2Add: {op: VADD, arr: D2},
	w.OpI8x16Sub: {op: VSUB, arr: B16}, w.OpI16x8Sub: {op: VSUB, arr: H8}, w.OpI32x4Sub: {op: VSUB, arr: S4}, w.OpI64x2Sub: {op: VSUB, arr: D2},
	w.OpI16x8Mul: {op: VMUL, arr: H8}, w.OpI32x4Mul: {op: VMUL, arr: S4},
	w.OpI8x16AddSatS: {op: VSQADD, arr: B16}, w.OpI8x16AddSatU: {op: VUQADD, arr: B16},
	w.OpI16x8AddSatS: {op: VSQADD, arr: H8}, w.OpI16x8AddSatU: {op: VUQADD, arr: H8},
	w.OpI8x16SubSatS: {op: VSQSUB, arr: B16}, w.OpI8x16SubSatU: {op: VUQSUB, arr: B16},
	w.OpI16x8SubSatS: {op: VSQSUB, arr: H8}, w.OpI16x8SubSatU: {op: VUQSUB, arr: H8},
	w.OpI8x16MinS: {op: VSMIN, arr: B16}, w.OpI8x16MinU: {op: VUMIN, arr: B16}, w.OpI8x16MaxS: {op: VSMAX, arr: B16}, w.OpI8x16MaxU: {op: VUMAX, arr: B16},
	w.OpI16x8MinS: {op: VSMIN, arr: H8}, w.OpI16x8MinU: {op: VUMIN, arr: H8}, w.OpI16x8MaxS: {op: VSMAX, arr: H8}, w.OpI16x8MaxU: {op: VUMAX, arr: H8},
	w.OpI32x4MinS: {op: VSMIN, arr: S4}, w.OpI32x4MinU: {op: VUMIN, arr: S4}, w.OpI32x4MaxS: {op: VSMAX, arr: S4}, w.OpI32x4MaxU: {op: VUMAX, arr: S4},
	// URHADD is (a+b+1)>>1 without overflow: avgr_u.
	w.OpI8x16AvgrU: {op: VURHADD, arr: B16}, w.OpI16x8AvgrU: {op: VURHADD, arr: H8},
	// SQRDMULH is the saturating, rounding (a*b*2 + 2^15) >> 16: q15mulr_sat_s.
	w.OpI16x8Q15mulrSatS: {op: VSQRDMULH, arr: H8},
	w.OpV128And:          {op: VAND, arr: B16}, w.OpV128Or: {op: VORR, arr: B16}, w.OpV128Xor: {op: VEOR, arr: B16},
	w.OpV128Andnot: {op: VBIC, arr: B16},
	w.OpI8x16Eq:    {op: VCMEQ, arr: B16}, w.OpI8x16Ne: {op: VCMEQ, arr: B16, not: true},
	w.OpI8x16GtS: {op: VCMGT, arr: B16}, w.OpI8x16GtU: {op: VCMHI, arr: B16}, w.OpI8x16GeS: {op: VCMGE, arr: B16}, w.OpI8x16GeU: {op: VCMHS, arr: B16},
	w.OpI8x16LtS: {op: VCMGT, arr: B16, swap: true}, w.OpI8x16LtU: {op: VCMHI, arr: B16, swap: true},
	w.OpI8x16LeS: {op: VCMGE, arr: B16, swap: true}, w.OpI8x16LeU: {op: VCMHS, arr: B16, swap: true},
	w.OpI16x8Eq: {op: VCMEQ, arr: H8}, w.OpI16x8Ne: {op: VCMEQ, arr: H8, not: true},
	w.OpI16x8GtS: {op: VCMGT, arr: H8}, w.OpI16x8GtU: {op: VCMHI, arr: H8}, w.OpI16x8GeS: {op: VCMGE, arr: H8}, w.OpI16x8GeU: {op: VCMHS, arr: H8},
	w.OpI16x8LtS: {op: VCMGT, arr: H8, swap: true}, w.OpI16x8LtU: {op: VCMHI, arr: H8, swap: true},
	w.OpI16x8LeS: {op: VCMGE, arr: H8, swap: true}, w.OpI16x8LeU: {op: VCMHS, arr: H8, swap: true},
	w.OpI32x4Eq: {op: VCMEQ, arr: S4}, w.OpI32x4Ne: {op: VCMEQ, arr: S4, not: true},
	w.OpI32x4GtS: {op: VCMGT, arr: S4}, w.OpI32x4GtU: {op: VCMHI, arr: S4}, w.OpI32x4GeS: {op: VCMGE, arr: S4}, w.OpI32x4GeU: {op: VCMHS, arr: S4},
	w.OpI32x4LtS: {op: VCMGT, arr: S4, swap: true}, w.OpI32x4LtU: {op: VCMHI, arr: S4, swap: true},
	w.OpI32x4LeS: {op: VCMGE, arr: S4, swap: true}, w.OpI32x4LeU: {op: VCMHS, arr: S4, swap: true},
	w.OpI64x2Eq: {op: VCMEQ, arr: D2}, w.OpI64x2Ne: {op: VCMEQ, arr: D2, not: true},
	w.OpI64x2GtS: {op: VCMGT, arr: D2}, w.OpI64x2GeS: {op: VCMGE, arr: D2},
	w.OpI64x2LtS: {op: VCMGT, arr: D2, swap: true}, w.OpI64x2LeS: {op: VCMGE, arr: D2, swap: true},
	// FP lanes: as the scalar FADD…FMAX (NaN results canonical or
	// arithmetic, min/max propagate NaN and order -0 < +0). An unordered
	// FCMxx is false, so ne = not eq is true with a NaN, as wasm wants.
	w.OpF32x4Add: {op: VFADD, arr: S4}, w.OpF32x4Sub: {op: VFSUB, arr: S4}, w.OpF32x4Mul: {op: VFMUL, arr: S4}, w.OpF32x4Div: {op: VFDIV, arr: S4},
	w.OpF32x4Min: {op: VFMIN, arr: S4}, w.OpF32x4Max: {op: VFMAX, arr: S4},
	w.OpF64x2Add: {op: VFADD, arr: D2}, w.OpF64x2Sub: {op: VFSUB, arr: D2}, w.OpF64x2Mul: {op: VFMUL, arr: D2}, w.OpF64x2Div: {op: VFDIV, arr: D2},
	w.OpF64x2Min: {op: VFMIN, arr: D2}, w.OpF64x2Max: {op: VFMAX, arr: D2},
	w.OpF32x4Eq: {op: VFCMEQ, arr: S4}, w.OpF32x4Ne: {op: VFCMEQ, arr: S4, not: true},
	w.OpF32x4Gt: {op: VFCMGT, arr: S4}, w.OpF32x4Ge: {op: VFCMGE, arr: S4},
	w.OpF32x4Lt: {op: VFCMGT, arr: S4, swap: true}, w.OpF32x4Le: {op: VFCMGE, arr: S4, swap: true},
	w.OpF64x2Eq: {op: VFCMEQ, arr: D2}, w.OpF64x2Ne: {op: VFCMEQ, arr: D2, not: true},
	w.OpF64x2Gt: {op: VFCMGT, arr: D2}, w.OpF64x2Ge: {op: VFCMGE, arr: D2},
	w.OpF64x2Lt: {op: VFCMGT, arr: D2, swap: true}, w.OpF64x2Le: {op: VFCMGE, arr: D2, swap: true},
}

// simdUnary: rd = op(a). The conversions saturate and map NaN to 0
// (FCVTZS/FCVTZU: trunc_sat) or round to nearest even (SCVTF/UCVTF).
var simdUnary = map[w.Opcode]struct {
	op  VOp
	arr Arr
}{
	w.OpI8x16Abs: {VABS, B16}, w.OpI16x8Abs: {VABS, H8}, w.OpI32x4Abs: {VABS, S4}, w.OpI64x2Abs: {VABS, D2},
	w.OpI8x16Neg: {VNEG, B16}, w.OpI16x8Neg: {VNEG, H8}, w.OpI32x4Neg: {VNEG, S4}, w.OpI64x2Neg: {VNEG, D2},
	w.OpI8x16Popcnt: {VCNT, B16}, w.OpV128Not: {VNOT, B16},
	w.OpI16x8ExtaddPairwiseI8x16S: {VSADDLP, B16}, w.OpI16x8ExtaddPairwiseI8x16U: {VUADDLP, B16},
	w.OpI32x4ExtaddPairwiseI16x8S: {VSADDLP, H8}, w.OpI32x4ExtaddPairwiseI16x8U: {VUADDLP, H8},
	w.OpF32x4Abs: {VFABS, S4}, w.OpF32x4Neg: {VFNEG, S4}, w.OpF32x4Sqrt: {VFSQRT, S4},
	w.OpF32x4Ceil: {VFRINTP, S4}, w.OpF32x4Floor: {VFRINTM, S4}, w.OpF32x4Trunc: {VFRINTZ, S4}, w.OpF32x4Nearest: {VFRINTN, S4},
	w.OpF64x2Abs: {VFABS, D2}, w.OpF64x2Neg: {VFNEG, D2}, w.OpF64x2Sqrt: {VFSQRT, D2},
	w.OpF64x2Ceil: {VFRINTP, D2}, w.OpF64x2Floor: {VFRINTM, D2}, w.OpF64x2Trunc: {VFRINTZ, D2}, w.OpF64x2Nearest: {VFRINTN, D2},
	w.OpF32x4ConvertI32x4S: {VSCVTF, S4}, w.OpF32x4ConvertI32x4U: {VUCVTF, S4},
	w.OpI32x4TruncSatF32x4S: {VFCVTZS, S4}, w.OpI32x4TruncSatF32x4U: {VFCVTZU, S4},
	// FCVTN writes the lower two lanes and zeroes the upper: demote_zero.
	w.OpF32x4DemoteF64x2Zero: {VFCVTN, D1}, w.OpF64x2PromoteLowF32x4: {VFCVTL, D1},
}

// simdWiden are the extend and extmul operations: a shift-left-long by 0
// (SSHLL/USHLL, i.e. SXTL/UXTL) or a long multiply of the lower (64-bit
// arrangement) or upper (128-bit, the "2" form) halves.
var simdWiden = map[w.Opcode]struct {
	op    VOp
	arr   Arr
	shift bool // extend (VShift) rather than extmul (V3Diff)
}{
	w.OpI16x8ExtendLowI8x16S: {VSSHLL, B8, true}, w.OpI16x8ExtendHighI8x16S: {VSSHLL, B16, true},
	w.OpI16x8ExtendLowI8x16U: {VUSHLL, B8, true}, w.OpI16x8ExtendHighI8x16U: {VUSHLL, B16, true},
	w.OpI32x4ExtendLowI16x8S: {VSSHLL, H4, true}, w.OpI32x4ExtendHighI16x8S: {VSSHLL, H8, true},
	w.OpI32x4ExtendLowI16x8U: {VUSHLL, H4, true}, w.OpI32x4ExtendHighI16x8U: {VUSHLL, H8, true},
	w.OpI64x2ExtendLowI32x4S: {VSSHLL, S2, true}, w.OpI64x2ExtendHighI32x4S: {VSSHLL, S4, true},
	w.OpI64x2ExtendLowI32x4U: {VUSHLL, S2, true}, w.OpI64x2ExtendHighI32x4U: {VUSHLL, S4, true},
	w.OpI16x8ExtmulLowI8x16S: {VSMULL, B8, false}, w.OpI16x8ExtmulHighI8x16S: {VSMULL, B16, false},
	w.OpI16x8ExtmulLowI8x16U: {VUMULL, B8, false}, w.OpI16x8ExtmulHighI8x16U: {VUMULL, B16, false},
	w.OpI32x4ExtmulLowI16x8S: {VSMULL, H4, false}, w.OpI32x4ExtmulHighI16x8S: {VSMULL, H8, false},
	w.OpI32x4ExtmulLowI16x8U: {VUMULL, H4, false}, w.OpI32x4ExtmulHighI16x8U: {VUMULL, H8, false},
	w.OpI64x2ExtmulLowI32x4S: {VSMULL, S2, false}, w.OpI64x2ExtmulHighI32x4S: {VSMULL, S4, false},
	w.OpI64x2ExtmulLowI32x4U: {VUMULL, S2, false}, w.OpI64x2ExtmulHighI32x4U: {VUMULL, S4, false},
}

// simdShifts: shift each lane by a scalar count taken modulo the lane
// width, as SSHL/USHL by a splatted count (negative: right).
var simdShifts = map[w.Opcode]struct {
	op    VOp
	arr   Arr
	right bool
}{
	w.OpI8x16Shl: {VUSHL, B16, false}, w.OpI8x16ShrS: {VSSHL, B16, true}, w.OpI8x16ShrU: {VUSHL, B16, true},
	w.OpI16x8Shl: {VUSHL, H8, false}, w.OpI16x8ShrS: {VSSHL, H8, true}, w.OpI16x8ShrU: {VUSHL, H8, true},
	w.OpI32x4Shl: {VUSHL, S4, false}, w.OpI32x4ShrS: {VSSHL, S4, true}, w.OpI32x4ShrU: {VUSHL, S4, true},
	w.OpI64x2Shl: {VUSHL, D2, false}, w.OpI64x2ShrS: {VSSHL, D2, true}, w.OpI64x2ShrU: {VUSHL, D2, true},
}

// laneArr is the arrangement of the lane ops by their shape.
var laneArr = map[w.Opcode]Arr{
	w.OpI8x16Splat: B16, w.OpI16x8Splat: H8, w.OpI32x4Splat: S4, w.OpI64x2Splat: D2, w.OpF32x4Splat: S4, w.OpF64x2Splat: D2,
	w.OpI8x16ExtractLaneS: B16, w.OpI8x16ExtractLaneU: B16, w.OpI16x8ExtractLaneS: H8, w.OpI16x8ExtractLaneU: H8,
	w.OpI32x4ExtractLane: S4, w.OpI64x2ExtractLane: D2, w.OpF32x4ExtractLane: S4, w.OpF64x2ExtractLane: D2,
	w.OpI8x16ReplaceLane: B16, w.OpI16x8ReplaceLane: H8, w.OpI32x4ReplaceLane: S4, w.OpI64x2ReplaceLane: D2,
	w.OpF32x4ReplaceLane: S4, w.OpF64x2ReplaceLane: D2,
	w.OpI8x16AllTrue: B16, w.OpI16x8AllTrue: H8, w.OpI32x4AllTrue: S4, w.OpI64x2AllTrue: D2,
	w.OpI8x16Bitmask: B16, w.OpI16x8Bitmask: H8, w.OpI32x4Bitmask: S4, w.OpI64x2Bitmask: D2,
}

// vget returns a vector register holding v (its own, or scratch loaded).
func (g *funcGen) vget(v ir.Value, scratch Reg) Reg { return g.get(v, scratch) }

// vinto places v in exactly register r.
func (g *funcGen) vinto(v ir.Value, r Reg) {
	if src := g.get(v, r); src != r {
		g.a.MovV(r, src)
	}
}

// vconst builds a 128-bit constant in r through x16/x17.
func (g *funcGen) vconst(r Reg, lo, hi uint64) {
	a := g.a
	if lo == 0 && hi == 0 {
		a.MoviZero(r)
		return
	}
	a.MovImm(true, regTmp0, lo)
	a.FPConvert(FMOVtoFP, true, true, r, regTmp0)
	if hi != 0 {
		a.MovImm(true, regTmp0, hi)
		a.InsGen(D2, r, 1, regTmp0)
	}
}

// simd emits a v128 operation (or one with a v128 operand); handled
// reports whether op is one.
func (g *funcGen) simd(in *ir.Instr) (handled bool, err error) {
	a := g.a
	op := w.Opcode(in.Op)
	res := in.Results[0]
	if !g.loc(res).Valid {
		return true, nil
	}
	rd := g.dst(res)
	done := func() (bool, error) { g.put(res, rd); return true, nil }
	if r, ok := simdBinary[op]; ok {
		x, y := g.vget(in.Args[0], vTmp0), g.vget(in.Args[1], vTmp1)
		if r.swap {
			x, y = y, x
		}
		a.V3(r.op, r.arr, rd, x, y)
		if r.not {
			a.V2(VNOT, B16, rd, rd)
		}
		return done()
	}
	if r, ok := simdUnary[op]; ok {
		a.V2(r.op, r.arr, rd, g.vget(in.Args[0], vTmp0))
		return done()
	}
	if r, ok := simdWiden[op]; ok {
		x := g.vget(in.Args[0], vTmp0)
		if r.shift {
			a.VShift(r.op, r.arr, rd, x, 0)
		} else {
			a.V3Diff(r.op, r.arr, rd, x, g.vget(in.Args[1], vTmp1))
		}
		return done()
	}
	if r, ok := simdShifts[op]; ok {
		x := g.vget(in.Args[0], vTmp0)
		n := g.get(in.Args[1], regTmp0)
		bits := uint64(8) << r.arr.size()
		a.LogicImm(AND, true, regTmp0, n, bits-1)
		if r.right {
			a.AddSub(SUB, true, regTmp0, ZR, regTmp0, LSL, 0)
		}
		a.DupGen(r.arr, vTmp3, regTmp0)
		a.V3(r.op, r.arr, rd, x, vTmp3)
		return done()
	}
	arr := laneArr[op]
	switch op {
	case w.OpV128Const:
		g.vconst(rd, in.Const, in.ConstHi)
	case w.OpI8x16Splat, w.OpI16x8Splat, w.OpI32x4Splat, w.OpI64x2Splat:
		a.DupGen(arr, rd, g.get(in.Args[0], regTmp0))
	case w.OpF32x4Splat, w.OpF64x2Splat:
		a.DupElem(arr, rd, g.vget(in.Args[0], vTmp0), 0)
	case w.OpI8x16ExtractLaneS, w.OpI16x8ExtractLaneS:
		a.Smov(arr, false, rd, g.vget(in.Args[0], vTmp0), uint32(in.Lane))
	case w.OpI8x16ExtractLaneU, w.OpI16x8ExtractLaneU, w.OpI32x4ExtractLane, w.OpI64x2ExtractLane:
		a.Umov(arr, rd, g.vget(in.Args[0], vTmp0), uint32(in.Lane))
	case w.OpF32x4ExtractLane, w.OpF64x2ExtractLane:
		a.DupScalar(arr, rd, g.vget(in.Args[0], vTmp0), uint32(in.Lane))
	case w.OpI8x16ReplaceLane, w.OpI16x8ReplaceLane, w.OpI32x4ReplaceLane, w.OpI64x2ReplaceLane:
		a.MovV(rd, g.vget(in.Args[0], vTmp0))
		a.InsGen(arr, rd, uint32(in.Lane), g.get(in.Args[1], regTmp0))
	case w.OpF32x4ReplaceLane, w.OpF64x2ReplaceLane:
		a.MovV(rd, g.vget(in.Args[0], vTmp0))
		a.InsElem(arr, rd, uint32(in.Lane), g.vget(in.Args[1], vTmp1), 0)
	case w.OpV128Bitselect:
		// BSL keeps the mask in its destination: rd = c, then
		// rd = (rd & a) | (~rd & b).
		x, y := g.vget(in.Args[0], vTmp0), g.vget(in.Args[1], vTmp1)
		a.MovV(rd, g.vget(in.Args[2], vTmp3))
		a.V3(VBSL, B16, rd, x, y)
	case w.OpF32x4Pmin, w.OpF32x4Pmax, w.OpF64x2Pmin, w.OpF64x2Pmax:
		// pmin(a, b) = b < a ? b : a and pmax(a, b) = a < b ? b : a,
		// selected bitwise by a compare mask (false for NaN: a stays).
		x, y := g.vget(in.Args[0], vTmp0), g.vget(in.Args[1], vTmp1)
		fa := S4
		if op == w.OpF64x2Pmin || op == w.OpF64x2Pmax {
			fa = D2
		}
		if op == w.OpF32x4Pmin || op == w.OpF64x2Pmin {
			a.V3(VFCMGT, fa, rd, x, y) // a > b
		} else {
			a.V3(VFCMGT, fa, rd, y, x) // b > a
		}
		a.V3(VBSL, B16, rd, y, x)
	case w.OpI8x16NarrowI16x8S, w.OpI16x8NarrowI32x4S, w.OpI8x16NarrowI16x8U, w.OpI16x8NarrowI32x4U:
		narrow, lo, hi := VSQXTN, B8, B16
		if op == w.OpI8x16NarrowI16x8U || op == w.OpI16x8NarrowI32x4U {
			narrow = VSQXTUN
		}
		if op == w.OpI16x8NarrowI32x4S || op == w.OpI16x8NarrowI32x4U {
			lo, hi = H4, H8
		}
		x, y := g.vget(in.Args[0], vTmp0), g.vget(in.Args[1], vTmp1)
		a.V2(narrow, lo, rd, x)
		a.V2(narrow, hi, rd, y)
	case w.OpI32x4TruncSatF64x2SZero, w.OpI32x4TruncSatF64x2UZero:
		// Saturate to 64-bit integers, then narrow with saturation into
		// the lower lanes; the upper ones become zero.
		cvt, narrow := VFCVTZS, VSQXTN
		if op == w.OpI32x4TruncSatF64x2UZero {
			cvt, narrow = VFCVTZU, VUQXTN
		}
		a.V2(cvt, D2, vTmp3, g.vget(in.Args[0], vTmp0))
		a.V2(narrow, S2, rd, vTmp3)
	case w.OpF64x2ConvertLowI32x4S, w.OpF64x2ConvertLowI32x4U:
		ext, cvt := VSSHLL, VSCVTF
		if op == w.OpF64x2ConvertLowI32x4U {
			ext, cvt = VUSHLL, VUCVTF
		}
		a.VShift(ext, S2, rd, g.vget(in.Args[0], vTmp0), 0)
		a.V2(cvt, D2, rd, rd)
	case w.OpI32x4DotI16x8S:
		x, y := g.vget(in.Args[0], vTmp0), g.vget(in.Args[1], vTmp1)
		a.V3Diff(VSMULL, H4, vTmp3, x, y)
		a.V3Diff(VSMULL, H8, rd, x, y)
		a.V3(VADDP, S4, rd, vTmp3, rd)
	case w.OpI64x2Mul:
		// No 64-bit lane multiply in NEON: per lane through x14–x17.
		x, y := g.vget(in.Args[0], vTmp0), g.vget(in.Args[1], vTmp1)
		for lane := uint32(0); lane < 2; lane++ {
			a.Umov(D2, regTmp0, x, lane)
			a.Umov(D2, regTmp1, y, lane)
			a.Mul(true, regTmp0, regTmp0, regTmp1)
			a.InsGen(D2, vTmp3, lane, regTmp0)
		}
		a.MovV(rd, vTmp3)
	case w.OpI8x16Swizzle:
		// TBL gives 0 for an index ≥ 16, as swizzle does.
		a.Tbl(rd, g.vget(in.Args[0], vTmp0), 1, g.vget(in.Args[1], vTmp1))
	case w.OpI8x16Shuffle:
		// A two-register TBL over v30:v31 (consecutive) with the lane
		// list as indices: 0–15 pick from a, 16–31 from b.
		g.vinto(in.Args[0], vTmp1)
		g.vinto(in.Args[1], vTmp2)
		g.vconst(vTmp3, in.Const, in.ConstHi)
		a.Tbl(rd, vTmp1, 2, vTmp3)
	case w.OpV128AnyTrue:
		a.VAcross(VUMAXV, S4, vTmp3, g.vget(in.Args[0], vTmp0))
		a.FPConvert(FMOVtoGP, false, false, regTmp0, vTmp3)
		a.AddImm(SUBS, false, ZR, regTmp0, 0)
		a.Cset(false, rd, NE)
	case w.OpI8x16AllTrue, w.OpI16x8AllTrue, w.OpI32x4AllTrue, w.OpI64x2AllTrue:
		x := g.vget(in.Args[0], vTmp0)
		if arr == D2 {
			// Any zero lane gives an all-ones lane; true if none.
			a.V2(VCMEQZ, D2, vTmp3, x)
			a.VAcross(VUMAXV, S4, vTmp3, vTmp3)
			a.FPConvert(FMOVtoGP, false, false, regTmp0, vTmp3)
			a.AddImm(SUBS, false, ZR, regTmp0, 0)
			a.Cset(false, rd, EQ)
			break
		}
		a.VAcross(VUMINV, arr, vTmp3, x)
		a.FPConvert(FMOVtoGP, false, false, regTmp0, vTmp3)
		a.AddImm(SUBS, false, ZR, regTmp0, 0)
		a.Cset(false, rd, NE)
	case w.OpI8x16Bitmask, w.OpI16x8Bitmask, w.OpI32x4Bitmask, w.OpI64x2Bitmask:
		g.bitmask(arr, rd, g.vget(in.Args[0], vTmp0))
	default:
		return false, nil
	}
	return done()
}

// bitmask gathers the top bit of each lane into the low bits of rd: each
// lane's sign bit is shifted down to bit 0, then left by the lane number
// within its 64-bit half, and the lanes of each half are summed.
func (g *funcGen) bitmask(arr Arr, rd, x Reg) {
	a := g.a
	bits := uint32(8) << arr.size()
	a.VShift(VUSHR, arr, vTmp3, x, bits-1)
	if arr == D2 {
		a.Umov(D2, regTmp0, vTmp3, 0)
		a.Umov(D2, regTmp1, vTmp3, 1)
		a.AddSub(ADD, true, rd, regTmp0, regTmp1, LSL, 1)
		return
	}
	// Shift counts 0, 1, 2, … per lane, repeating per 64-bit half for
	// bytes (summed separately below).
	var lo, hi uint64
	lanes := 128 / bits
	for i := uint32(0); i < lanes; i++ {
		n := uint64(i)
		if arr == B16 {
			n = uint64(i % 8)
		}
		pos := i * bits
		if pos < 64 {
			lo |= n << pos
		} else {
			hi |= n << (pos - 64)
		}
	}
	g.vconst(vTmp2, lo, hi)
	a.V3(VUSHL, arr, vTmp3, vTmp3, vTmp2)
	if arr == B16 {
		a.VAcross(VADDV, B8, vTmp2, vTmp3)
		a.FPConvert(FMOVtoGP, false, false, regTmp1, vTmp2)
		a.Ext(vTmp3, vTmp3, vTmp3, 8)
		a.VAcross(VADDV, B8, vTmp2, vTmp3)
		a.FPConvert(FMOVtoGP, false, false, regTmp0, vTmp2)
		a.AddSub(ADD, false, rd, regTmp1, regTmp0, LSL, 8)
		return
	}
	a.VAcross(VADDV, arr, vTmp2, vTmp3)
	a.FPConvert(FMOVtoGP, false, false, rd, vTmp2)
}

// simdAccess is how each v128 load other than v128.load, and each lane
// store, moves memory: the bytes accessed, and the arrangement the value
// is spread over (lanes of that size; the source of the widening loads).
var simdAccess = map[w.Opcode]struct {
	size Size
	arr  Arr
}{
	w.OpV128Load8x8S: {8, B8}, w.OpV128Load8x8U: {8, B8}, w.OpV128Load16x4S: {8, H4},
	w.OpV128Load16x4U: {8, H4}, w.OpV128Load32x2S: {8, S2}, w.OpV128Load32x2U: {8, S2},
	w.OpV128Load8Splat: {1, B16}, w.OpV128Load16Splat: {2, H8}, w.OpV128Load32Splat: {4, S4}, w.OpV128Load64Splat: {8, D2},
	w.OpV128Load32Zero: {4, S4}, w.OpV128Load64Zero: {8, D2},
	w.OpV128Load8Lane: {1, B16}, w.OpV128Load16Lane: {2, H8}, w.OpV128Load32Lane: {4, S4}, w.OpV128Load64Lane: {8, D2},
	w.OpV128Store8Lane: {1, B16}, w.OpV128Store16Lane: {2, H8}, w.OpV128Store32Lane: {4, S4}, w.OpV128Store64Lane: {8, D2},
}

// simdLoad emits the v128 loads other than v128.load.
func (g *funcGen) simdLoad(in *ir.Instr) error {
	a := g.a
	op := w.Opcode(in.Op)
	acc, ok := simdAccess[op]
	if !ok {
		return fmt.Errorf("unsupported load (the arm64 back end does not generate it yet)")
	}
	res := in.Results[0]
	if !g.loc(res).Valid {
		return nil
	}
	switch op {
	case w.OpV128Load8x8S, w.OpV128Load16x4S, w.OpV128Load32x2S, w.OpV128Load8x8U, w.OpV128Load16x4U, w.OpV128Load32x2U:
		ext := VUSHLL
		if op == w.OpV128Load8x8S || op == w.OpV128Load16x4S || op == w.OpV128Load32x2S {
			ext = VSSHLL
		}
		rd := g.dst(res)
		a.LoadStore(LoadZX, 8, rd, g.effectiveAddr(in.Args[0], in.Offset, 8))
		a.VShift(ext, acc.arr, rd, rd, 0)
		g.put(res, rd)
	case w.OpV128Load32Zero, w.OpV128Load64Zero:
		// A scalar SIMD&FP load zeroes the rest of the register.
		rd := g.dst(res)
		a.LoadStore(LoadZX, acc.size, rd, g.effectiveAddr(in.Args[0], in.Offset, acc.size))
		g.put(res, rd)
	default: // splat and lane loads: through x15
		a.LoadStore(LoadZX, acc.size, regMove, g.effectiveAddr(in.Args[0], in.Offset, acc.size))
		rd := g.dst(res)
		if len(in.Args) == 1 {
			a.DupGen(acc.arr, rd, regMove)
		} else {
			a.MovV(rd, g.vget(in.Args[1], vTmp0))
			a.InsGen(acc.arr, rd, uint32(in.Lane), regMove)
		}
		g.put(res, rd)
	}
	return nil
}

// simdStoreLane emits v128.storeN_lane.
func (g *funcGen) simdStoreLane(in *ir.Instr) error {
	acc, ok := simdAccess[w.Opcode(in.Op)]
	if !ok || in.Op.Info().Kind != ir.KindStore {
		return fmt.Errorf("unsupported store (the arm64 back end does not generate it yet)")
	}
	// x17: effectiveAddr may use x14–x16.
	g.a.Umov(acc.arr, regTmp1, g.vget(in.Args[1], vTmp0), uint32(in.Lane))
	g.a.LoadStore(Store, acc.size, regTmp1, g.effectiveAddr(in.Args[0], in.Offset, acc.size))
	return nil
}
