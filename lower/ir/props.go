package ir

import (
	"fmt"
	"strconv"
	"strings"
)

// The typed properties of the numeric, SIMD, load and store operations.
// Back ends dispatch on these (Base, then Shape, Sign, From, Width) rather
// than on op names; they are derived once, when the op table is built,
// from the WebAssembly instruction names, whose grammar
// (shape.base[N][_from][_s|_u][_zero]) encodes exactly these facts.

// Shape is the value shape an operation works on: a scalar type, a SIMD
// lane shape, or the whole 128-bit vector.
type Shape uint8

// Shapes.
const (
	ShapeNone Shape = iota
	ShapeI32
	ShapeI64
	ShapeF32
	ShapeF64
	ShapeV128 // a v128 as 128 bits (v128.and, v128.load)
	ShapeI8x16
	ShapeI16x8
	ShapeI32x4
	ShapeI64x2
	ShapeF32x4
	ShapeF64x2
)

var shapeNames = [...]string{ShapeNone: "none", ShapeI32: "i32", ShapeI64: "i64", ShapeF32: "f32", ShapeF64: "f64",
	ShapeV128: "v128", ShapeI8x16: "i8x16", ShapeI16x8: "i16x8", ShapeI32x4: "i32x4", ShapeI64x2: "i64x2",
	ShapeF32x4: "f32x4", ShapeF64x2: "f64x2"}

func (s Shape) String() string { return shapeNames[s] }

// Lanes is the number of lanes: 1 for scalars and ShapeV128.
func (s Shape) Lanes() int {
	if s >= ShapeI8x16 {
		return 128 / s.LaneBits()
	}
	return 1
}

// LaneBits is the width of one lane (of the scalar, or 128 for ShapeV128).
func (s Shape) LaneBits() int {
	switch s {
	case ShapeI32, ShapeF32, ShapeI32x4, ShapeF32x4:
		return 32
	case ShapeI64, ShapeF64, ShapeI64x2, ShapeF64x2:
		return 64
	case ShapeV128:
		return 128
	case ShapeI8x16:
		return 8
	case ShapeI16x8:
		return 16
	}
	return 0
}

// IsFloat reports whether the lanes are floats.
func (s Shape) IsFloat() bool {
	return s == ShapeF32 || s == ShapeF64 || s == ShapeF32x4 || s == ShapeF64x2
}

// IsVector reports whether the shape is a v128 (whole or in lanes).
func (s Shape) IsVector() bool { return s >= ShapeV128 }

// Sign is the signedness an operation interprets its integers with.
type Sign uint8

// Signedness.
const (
	SignNone Sign = iota
	Signed
	Unsigned
)

// Base is an operation with its shape, signedness and widths removed:
// i32.lt_s, i64.lt_u and i8x16.lt_s are all BaseLt.
type Base uint8

// Base operations.
const (
	BaseNone Base = iota
	BaseConst
	// Comparisons; the result is an i32 0/1 for scalars and an all-ones
	// lane mask for vectors.
	BaseEqz
	BaseEq
	BaseNe
	BaseLt
	BaseGt
	BaseLe
	BaseGe
	// Integer and float arithmetic.
	BaseClz
	BaseCtz
	BasePopcnt
	BaseAdd
	BaseSub
	BaseMul
	BaseDiv
	BaseRem
	BaseAnd
	BaseOr
	BaseXor
	BaseAndNot // v128.andnot: a & ^b
	BaseNot
	BaseShl
	BaseShr
	BaseRotl
	BaseRotr
	BaseAbs
	BaseNeg
	BaseCeil
	BaseFloor
	BaseTrunc // float rounding toward zero (f32.trunc); see BaseTruncToInt
	BaseNearest
	BaseSqrt
	BaseMin
	BaseMax
	BasePMin
	BasePMax
	BaseCopysign
	BaseAddSat
	BaseSubSat
	BaseAvgr
	BaseQ15MulrSat
	// Conversions; From is the operand's shape.
	BaseWrap        // i32.wrap_i64
	BaseExtend      // i64.extend_i32_s/u
	BaseSignExtend  // i32.extend8_s…: sign-extend the low Width bits in place
	BaseTruncToInt  // float → int, trapping (checked by the IR's trap_if before)
	BaseTruncSat    // float → int, saturating (also i32x4.trunc_sat_f64x2_*_zero)
	BaseConvert     // int → float (also f64x2.convert_low_i32x4)
	BaseDemote      // f64 → f32 (also f32x4.demote_f64x2_zero)
	BasePromote     // f32 → f64 (also f64x2.promote_low_f32x4)
	BaseReinterpret // bits of From as Shape
	// SIMD lane operations.
	BaseSplat
	BaseExtractLane
	BaseReplaceLane
	BaseShuffle
	BaseSwizzle
	BaseBitselect
	BaseAnyTrue
	BaseAllTrue
	BaseBitmask
	BaseNarrow         // From's lanes of two vectors, saturated to Shape by Sign
	BaseExtendLow      // widen the low half of From's lanes
	BaseExtendHigh     // widen the high half
	BaseExtMulLow      // multiply the widened low halves
	BaseExtMulHigh     // multiply the widened high halves
	BaseExtAddPairwise // add adjacent widened lanes
	BaseDot            // i32x4.dot_i16x8_s
	// Memory; Width is the number of bits accessed.
	BaseLoad       // Width bits, extended by Sign to Shape if narrower
	BaseStore      // the low Width bits of the value
	BaseLoadExtend // v128.load8x8_s…: Width/2-bit lanes widened to Shape's lanes
	BaseLoadSplat  // one Width-bit value into every lane of Shape
	BaseLoadZero   // one Width-bit value into lane 0, the rest zero
	BaseLoadLane   // one Width-bit value into lane Lane of the operand vector
	BaseStoreLane  // lane Lane of the vector
	baseEnd
)

var baseNames = [...]string{
	BaseNone: "none", BaseConst: "const", BaseEqz: "eqz", BaseEq: "eq", BaseNe: "ne", BaseLt: "lt", BaseGt: "gt",
	BaseLe: "le", BaseGe: "ge", BaseClz: "clz", BaseCtz: "ctz", BasePopcnt: "popcnt", BaseAdd: "add", BaseSub: "sub",
	BaseMul: "mul", BaseDiv: "div", BaseRem: "rem", BaseAnd: "and", BaseOr: "or", BaseXor: "xor",
	BaseAndNot: "andnot", BaseNot: "not", BaseShl: "shl", BaseShr: "shr", BaseRotl: "rotl", BaseRotr: "rotr",
	BaseAbs: "abs", BaseNeg: "neg", BaseCeil: "ceil", BaseFloor: "floor", BaseTrunc: "trunc",
	BaseNearest: "nearest", BaseSqrt: "sqrt", BaseMin: "min", BaseMax: "max", BasePMin: "pmin", BasePMax: "pmax",
	BaseCopysign: "copysign", BaseAddSat: "add_sat", BaseSubSat: "sub_sat", BaseAvgr: "avgr",
	BaseQ15MulrSat: "q15mulr_sat", BaseWrap: "wrap", BaseExtend: "extend", BaseSignExtend: "sign_extend",
	BaseTruncToInt: "trunc_to_int", BaseTruncSat: "trunc_sat", BaseConvert: "convert", BaseDemote: "demote",
	BasePromote: "promote", BaseReinterpret: "reinterpret", BaseSplat: "splat", BaseExtractLane: "extract_lane",
	BaseReplaceLane: "replace_lane", BaseShuffle: "shuffle", BaseSwizzle: "swizzle", BaseBitselect: "bitselect",
	BaseAnyTrue: "any_true", BaseAllTrue: "all_true", BaseBitmask: "bitmask", BaseNarrow: "narrow",
	BaseExtendLow: "extend_low", BaseExtendHigh: "extend_high", BaseExtMulLow: "extmul_low",
	BaseExtMulHigh: "extmul_high", BaseExtAddPairwise: "extadd_pairwise", BaseDot: "dot", BaseLoad: "load",
	BaseStore: "store", BaseLoadExtend: "load_extend", BaseLoadSplat: "load_splat", BaseLoadZero: "load_zero",
	BaseLoadLane: "load_lane", BaseStoreLane: "store_lane",
}

func (b Base) String() string {
	if int(b) < len(baseNames) {
		return baseNames[b]
	}
	return "base(" + strconv.Itoa(int(b)) + ")"
}

// Props are an operation's typed properties (see OpInfo.Props).
type Props struct {
	Base  Base
	Shape Shape // the shape operated on (for comparisons, the operands')
	Sign  Sign
	// From is the operand shape of a conversion, narrowing, widening or
	// dot product.
	From Shape
	// Width is the number of bits a memory access reads or writes, or the
	// low bits BaseSignExtend extends.
	Width int
}

// stemBases maps the part of a name between the shape and its
// suffixes to a base operation.
var stemBases = map[string]Base{
	"const": BaseConst, "eqz": BaseEqz, "eq": BaseEq, "ne": BaseNe, "lt": BaseLt, "gt": BaseGt, "le": BaseLe,
	"ge": BaseGe, "clz": BaseClz, "ctz": BaseCtz, "popcnt": BasePopcnt, "add": BaseAdd, "sub": BaseSub,
	"mul": BaseMul, "div": BaseDiv, "rem": BaseRem, "and": BaseAnd, "or": BaseOr, "xor": BaseXor,
	"andnot": BaseAndNot, "not": BaseNot, "shl": BaseShl, "shr": BaseShr, "rotl": BaseRotl, "rotr": BaseRotr,
	"abs": BaseAbs, "neg": BaseNeg, "ceil": BaseCeil, "floor": BaseFloor, "trunc": BaseTrunc,
	"nearest": BaseNearest, "sqrt": BaseSqrt, "min": BaseMin, "max": BaseMax, "pmin": BasePMin, "pmax": BasePMax,
	"copysign": BaseCopysign, "add_sat": BaseAddSat, "sub_sat": BaseSubSat, "avgr": BaseAvgr,
	"q15mulr_sat": BaseQ15MulrSat, "wrap": BaseWrap, "extend": BaseExtend, "trunc_sat": BaseTruncSat,
	"convert": BaseConvert, "convert_low": BaseConvert, "demote": BaseDemote, "promote": BasePromote,
	"promote_low": BasePromote, "reinterpret": BaseReinterpret, "splat": BaseSplat,
	"extract_lane": BaseExtractLane, "replace_lane": BaseReplaceLane, "shuffle": BaseShuffle,
	"swizzle": BaseSwizzle, "bitselect": BaseBitselect, "any_true": BaseAnyTrue, "all_true": BaseAllTrue,
	"bitmask": BaseBitmask, "narrow": BaseNarrow, "extend_low": BaseExtendLow, "extend_high": BaseExtendHigh,
	"extmul_low": BaseExtMulLow, "extmul_high": BaseExtMulHigh, "extadd_pairwise": BaseExtAddPairwise,
	"dot": BaseDot,
}

func shapeByName(s string) Shape {
	for i, n := range shapeNames {
		if n == s && i != int(ShapeNone) {
			return Shape(i)
		}
	}
	return ShapeNone
}

// parseProps derives the properties of the wasm instruction name of an
// op of kind k.
func parseProps(name string, k Kind) (Props, error) {
	shape, op, ok := strings.Cut(name, ".")
	p := Props{Shape: shapeByName(shape)}
	if !ok || p.Shape == ShapeNone {
		return p, fmt.Errorf("ir: %s: no shape", name)
	}
	if k == KindLoad || k == KindStore {
		return memProps(p, name, op, k)
	}
	parts := strings.Split(op, "_")
	last := func() string { return parts[len(parts)-1] }
	if last() == "zero" {
		parts = parts[:len(parts)-1]
	}
	switch last() {
	case "s":
		p.Sign, parts = Signed, parts[:len(parts)-1]
	case "u":
		p.Sign, parts = Unsigned, parts[:len(parts)-1]
	}
	if len(parts) > 1 {
		if from := shapeByName(last()); from != ShapeNone {
			p.From, parts = from, parts[:len(parts)-1]
		}
	}
	stem := strings.Join(parts, "_")
	switch {
	case stem == "trunc" && p.From != ShapeNone:
		p.Base = BaseTruncToInt
	case p.From == ShapeNone && (stem == "extend8" || stem == "extend16" || stem == "extend32"):
		p.Base = BaseSignExtend
		p.Width, _ = strconv.Atoi(stem[len("extend"):])
	default:
		p.Base = stemBases[stem]
	}
	if p.Base == BaseNone {
		return p, fmt.Errorf("ir: %s: unknown operation %q", name, stem)
	}
	return p, nil
}

// memProps parses load and store names: t.load, t.loadN_s/u, t.storeN,
// v128.loadNxM_s/u, v128.loadN_splat, v128.loadN_zero, v128.loadN_lane,
// v128.storeN_lane.
func memProps(p Props, name, op string, k Kind) (Props, error) {
	rest, isLoad := strings.CutPrefix(op, "load")
	if !isLoad {
		rest, _ = strings.CutPrefix(op, "store")
	}
	p.Base = BaseStore
	if isLoad {
		p.Base = BaseLoad
	}
	p.Width = p.Shape.LaneBits()
	if rest == "" {
		return p, nil
	}
	digits := len(rest) - len(strings.TrimLeft(rest, "0123456789"))
	p.Width, _ = strconv.Atoi(rest[:digits])
	suffix := rest[digits:]
	laneShape := map[int]Shape{8: ShapeI8x16, 16: ShapeI16x8, 32: ShapeI32x4, 64: ShapeI64x2}
	switch {
	case suffix == "_s" || suffix == "_u":
		p.Sign = map[string]Sign{"_s": Signed, "_u": Unsigned}[suffix]
	case suffix == "" && !isLoad:
	case suffix == "_splat":
		p.Base, p.Shape = BaseLoadSplat, laneShape[p.Width]
	case suffix == "_zero":
		p.Base, p.Shape = BaseLoadZero, laneShape[p.Width]
	case suffix == "_lane":
		p.Base, p.Shape = BaseLoadLane, laneShape[p.Width]
		if !isLoad {
			p.Base = BaseStoreLane
		}
	case strings.HasPrefix(suffix, "x") && (strings.HasSuffix(suffix, "_s") || strings.HasSuffix(suffix, "_u")):
		// v128.loadNxM: M lanes of N bits, widened to 2N.
		p.Base, p.Shape = BaseLoadExtend, laneShape[2*p.Width]
		p.Sign = map[byte]Sign{'s': Signed, 'u': Unsigned}[suffix[len(suffix)-1]]
		p.Width *= 128 / 2 / p.Width
	default:
		return p, fmt.Errorf("ir: %s: unknown memory access", name)
	}
	if p.Shape == ShapeNone || p.Width == 0 {
		return p, fmt.Errorf("ir: %s: unknown memory access", name)
	}
	return p, nil
}
