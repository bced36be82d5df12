// Package numeric gives the bit-exact reference semantics of every pure
// WebAssembly 2.0 instruction: integer and floating-point arithmetic,
// comparisons, conversions, sign extension, saturating truncation and every
// SIMD operation that does not touch memory. The IR interpreter, constant
// folding and the differential tests all evaluate instructions through Eval;
// backends and passes may call the exported building blocks directly.
//
// Values are carried as raw bits (see Value). Scalar building blocks take
// and return bits too: uint32 for i32 and f32, uint64 for i64 and f64.
//
// NaN policy: the spec lets an arithmetic operation whose result is NaN
// return any "arithmetic" NaN (quiet bit set) when an input is a
// non-canonical NaN, and a canonical NaN otherwise. This package always
// returns the positive canonical NaN (0x7fc00000 for f32,
// 0x7ff8000000000000 for f64), which satisfies both cases and makes results
// independent of the host CPU. The bit operations abs, neg, copysign,
// reinterpret and the SIMD pmin/pmax, extract/replace lane never touch NaN
// payloads: they move bits exactly.
package numeric

import (
	"fmt"

	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// Value holds the bits of one operand or result. Scalars live in Lo: i32
// and f32 in its low 32 bits with the upper 32 bits zero, i64 and f64 in
// all of it; Hi is zero. A v128 is little-endian across both words: byte i
// of the vector is byte i of Lo for i < 8 and byte i-8 of Hi otherwise.
// Eval always produces results in this form, and reads only the bits an
// operand's type has, so e.g. a sign-extended i32 operand works too.
type Value struct{ Lo, Hi uint64 }

// EvalFunc computes one pure instruction like Eval, without checking the
// opcode or the operand count: args must hold exactly the instruction's
// operands.
type EvalFunc func(in *wasm.Instr, args []Value) (Value, abi.TrapCode)

type entry struct {
	eval  EvalFunc
	arity int
}

// table is indexed by opcode family (plain, 0xFC, 0xFD) and then by the
// opcode's low byte; a nil eval marks an instruction that is not pure.
var table [3][256]entry

func slot(op wasm.Opcode) *entry {
	switch op >> 8 {
	case 0:
		return &table[0][op]
	case wasm.Opcode(wasm.PrefixMisc):
		return &table[1][op&0xFF]
	case wasm.Opcode(wasm.PrefixSIMD):
		return &table[2][op&0xFF]
	}
	return nil
}

// IsPure reports whether op is an instruction Eval computes: a numeric,
// comparison, conversion or SIMD instruction with no side effects, no
// memory access and no immediates other than a lane index or a shuffle
// pattern (constants excluded).
func IsPure(op wasm.Opcode) bool {
	e := slot(op)
	return e != nil && e.eval != nil
}

// Eval computes the pure instruction in on args, given in operand order.
// Lane indices come from in.Lane and the shuffle pattern from in.Const and
// in.ConstHi. When the instruction traps it returns a zero Value and the
// trap code (abi.TrapIntegerDivideByZero, abi.TrapIntegerOverflow or
// abi.TrapInvalidConversion); otherwise the trap code is abi.TrapNone.
//
// Calling Eval with an instruction for which IsPure is false, or with the
// wrong number of operands, is a bug in the caller (validated code never
// does it) and panics with a message saying which.
func Eval(in *wasm.Instr, args []Value) (result Value, trap abi.TrapCode) {
	e := slot(in.Op)
	if e == nil || e.eval == nil {
		panic(fmt.Sprintf("numeric.Eval: %s (%#x) is not a pure instruction", in.Op, uint16(in.Op)))
	}
	if len(args) != e.arity {
		panic(fmt.Sprintf("numeric.Eval: %s takes %d operands, got %d", in.Op, e.arity, len(args)))
	}
	return e.eval(in, args)
}

// Lookup returns the evaluator of op, or nil if op is not pure. Callers
// that evaluate the same instruction many times (an interpreter) resolve
// it once and skip Eval's per-call lookup and checks.
func Lookup(op wasm.Opcode) EvalFunc {
	if e := slot(op); e != nil {
		return e.eval
	}
	return nil
}

// register installs f as the evaluator of op, taking the operand count
// from the opcode table.
func register(op wasm.Opcode, f EvalFunc) {
	info := op.Info()
	e := slot(op)
	if info == nil || e == nil || e.eval != nil {
		panic(fmt.Sprintf("numeric: bad or duplicate registration of opcode %#x", uint16(op)))
	}
	e.eval = f
	e.arity = len(info.Params)
}

func init() {
	registerInteger()
	registerFloat()
	registerConvert()
	registerSIMDLanes()
	registerSIMDInteger()
	registerSIMDFloat()
}

// bits is the set of Go types carrying a scalar's bits or one SIMD lane.
type laneBits interface {
	~uint8 | ~uint16 | ~uint32 | ~uint64
}

// Adapters from typed bit functions to EvalFuncs. A scalar operand of width
// A is read from the low bits of Lo; a result of width R is zero-extended.

func unop[A, R laneBits](f func(A) R) EvalFunc {
	return func(_ *wasm.Instr, args []Value) (Value, abi.TrapCode) {
		return Value{Lo: uint64(f(A(args[0].Lo)))}, abi.TrapNone
	}
}

func binop[A, R laneBits](f func(a, b A) R) EvalFunc {
	return func(_ *wasm.Instr, args []Value) (Value, abi.TrapCode) {
		return Value{Lo: uint64(f(A(args[0].Lo), A(args[1].Lo)))}, abi.TrapNone
	}
}

func test[A laneBits](f func(A) bool) EvalFunc {
	return func(_ *wasm.Instr, args []Value) (Value, abi.TrapCode) {
		return Value{Lo: boolBits(f(A(args[0].Lo)))}, abi.TrapNone
	}
}

func compare[A laneBits](f func(a, b A) bool) EvalFunc {
	return func(_ *wasm.Instr, args []Value) (Value, abi.TrapCode) {
		return Value{Lo: boolBits(f(A(args[0].Lo), A(args[1].Lo)))}, abi.TrapNone
	}
}

func unopTrap[A, R laneBits](f func(A) (R, abi.TrapCode)) EvalFunc {
	return func(_ *wasm.Instr, args []Value) (Value, abi.TrapCode) {
		r, trap := f(A(args[0].Lo))
		if trap != abi.TrapNone {
			return Value{}, trap
		}
		return Value{Lo: uint64(r)}, abi.TrapNone
	}
}

func binopTrap[A laneBits](f func(a, b A) (A, abi.TrapCode)) EvalFunc {
	return func(_ *wasm.Instr, args []Value) (Value, abi.TrapCode) {
		r, trap := f(A(args[0].Lo), A(args[1].Lo))
		if trap != abi.TrapNone {
			return Value{}, trap
		}
		return Value{Lo: uint64(r)}, abi.TrapNone
	}
}

func boolBits(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}
