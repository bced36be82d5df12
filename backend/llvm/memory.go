package llvm

import (
	"fmt"
	"strings"

	"github.com/wasmaot/wasmaot/lower/ir"
	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// boundsCheck traps unless zext(addr)+extent <= the byte length of memory
// mem, tested as zext(addr) > length-extent in signed 64-bit arithmetic,
// where neither side can overflow (length <= 2^32, extent < 2^33): the
// limit depends only on the length, so in a loop it is computed once.
func (b *funcBuilder) boundsCheck(mem uint32, addr value, extent uint64) {
	limit := b.cur.NewSub(b.memoryLength(mem), i64c(int64(extent)))
	b.trapIf(b.cur.NewICmp("sgt", b.addr64(addr), limit), abi.TrapMemoryOutOfBounds)
}

// memoryCopy inlines memory.copy. Both ranges are checked before a byte
// moves, so a trap leaves memory untouched as wasm 2.0 requires; the sums
// cannot overflow in 64 bits. llvm.memmove handles overlap; LLVM expands
// small constant lengths inline and calls the runtime's memmove (an
// allow-listed symbol) otherwise, so no copy exits to Go.
func (b *funcBuilder) memoryCopy(in *ir.Instr) {
	dst, src, n := b.addr64(b.arg(in, 0)), b.addr64(b.arg(in, 1)), b.addr64(b.arg(in, 2))
	length := b.memoryLength(in.Index)
	b.trapIf(b.cur.NewICmp("ugt", b.cur.NewAdd(dst, n), length), abi.TrapMemoryOutOfBounds)
	b.trapIf(b.cur.NewICmp("ugt", b.cur.NewAdd(src, n), length), abi.TrapMemoryOutOfBounds)
	base := b.memoryBase(in.Index)
	memmove := b.m.intrinsic("llvm.memmove.p0i8.p0i8.i64", tVoid, tI8Ptr, tI8Ptr, tI64, tI1)
	b.cur.NewCall(memmove, b.cur.NewGetElementPtr(tI8, base, dst), b.cur.NewGetElementPtr(tI8, base, src), n, falseC)
}

// memoryFill inlines memory.fill the same way, through llvm.memset.
func (b *funcBuilder) memoryFill(in *ir.Instr) {
	dst, n := b.addr64(b.arg(in, 0)), b.addr64(b.arg(in, 2))
	b.trapIf(b.cur.NewICmp("ugt", b.cur.NewAdd(dst, n), b.memoryLength(in.Index)), abi.TrapMemoryOutOfBounds)
	memset := b.m.intrinsic("llvm.memset.p0i8.i64", tVoid, tI8Ptr, tI8, tI64, tI1)
	val := b.cur.NewTrunc(b.arg(in, 1), tI8)
	b.cur.NewCall(memset, b.cur.NewGetElementPtr(tI8, b.memoryBase(in.Index), dst), val, n, falseC)
}

// effectiveAddr returns a pointer to t at memory 0's base+zext(addr)+offset.
// The IR guarantees a dominating bounds check covers the access.
func (b *funcBuilder) effectiveAddr(t *llType, addr value, offset uint32) value {
	ea := b.addr64(addr)
	if offset != 0 {
		ea = b.cur.NewAdd(ea, i64c(int64(offset)))
	}
	p := b.cur.NewGetElementPtr(tI8, b.memoryBase(0), ea)
	return b.cur.NewBitCast(p, ptrTo(t))
}

// loadMem loads a t from linear memory. Wasm alignment hints promise
// nothing, so every access is align 1.
func (b *funcBuilder) loadMem(t *llType, addr value, offset uint32) value {
	return b.cur.load(t, b.effectiveAddr(t, addr, offset), 1, false, attachMem)
}

func (b *funcBuilder) storeMem(v, addr value, offset uint32) {
	b.cur.store(v, b.effectiveAddr(v.Type(), addr, offset), 1, attachMem)
}

// memLoad translates the load instructions.
func (b *funcBuilder) memLoad(in *ir.Instr) error {
	name := in.Op.String()
	addr := b.arg(in, 0)
	var v value
	switch name {
	case "i32.load", "i64.load", "f32.load", "f64.load", "v128.load":
		v = b.loadMem(b.m.valType(in.Op.Info().Results[0]), addr, in.Offset)
	case "i32.load8_s", "i32.load8_u", "i32.load16_s", "i32.load16_u",
		"i64.load8_s", "i64.load8_u", "i64.load16_s", "i64.load16_u", "i64.load32_s", "i64.load32_u":
		bits := map[byte]int{'8': 8, '1': 16, '3': 32}[name[strings.IndexByte(name, 'd')+1]]
		raw := b.loadMem(intType(uint64(bits)), addr, in.Offset)
		to := b.m.valType(in.Op.Info().Results[0])
		if strings.HasSuffix(name, "_s") {
			v = b.cur.NewSExt(raw, to)
		} else {
			v = b.cur.NewZExt(raw, to)
		}
	case "v128.load8x8_s", "v128.load8x8_u", "v128.load16x4_s", "v128.load16x4_u", "v128.load32x2_s", "v128.load32x2_u":
		var lanes, bits uint64
		fmt.Sscanf(name, "v128.load%dx%d", &bits, &lanes)
		raw := b.loadMem(vecType(lanes, intType(bits)), addr, in.Offset)
		wide := vecType(lanes, intType(2*bits))
		if strings.HasSuffix(name, "_s") {
			v = b.toV128(b.cur.NewSExt(raw, wide))
		} else {
			v = b.toV128(b.cur.NewZExt(raw, wide))
		}
	case "v128.load8_splat", "v128.load16_splat", "v128.load32_splat", "v128.load64_splat":
		var bits uint64
		fmt.Sscanf(name, "v128.load%d_splat", &bits)
		s := b.loadMem(intType(bits), addr, in.Offset)
		v = b.toV128(b.splat(s, 128/bits))
	case "v128.load32_zero", "v128.load64_zero":
		bits := uint64(32)
		if name == "v128.load64_zero" {
			bits = 64
		}
		s := b.loadMem(intType(bits), addr, in.Offset)
		vt := vecType(128/bits, intType(bits))
		v = b.toV128(b.cur.NewInsertElement(zeroOf(vt), s, i32c(0)))
	case "v128.load8_lane", "v128.load16_lane", "v128.load32_lane", "v128.load64_lane":
		var bits uint64
		fmt.Sscanf(name, "v128.load%d_lane", &bits)
		s := b.loadMem(intType(bits), addr, in.Offset)
		vec := b.as(b.arg(in, 1), vecType(128/bits, intType(bits)))
		v = b.toV128(b.cur.NewInsertElement(vec, s, i32c(int64(in.Lane))))
	default:
		return fmt.Errorf("unsupported load")
	}
	b.define(in, v)
	return nil
}

// memStore translates the store instructions.
func (b *funcBuilder) memStore(in *ir.Instr) error {
	name := in.Op.String()
	addr, val := b.arg(in, 0), b.arg(in, 1)
	switch name {
	case "i32.store", "i64.store", "f32.store", "f64.store", "v128.store":
		b.storeMem(val, addr, in.Offset)
	case "i32.store8", "i32.store16", "i64.store8", "i64.store16", "i64.store32":
		bits := map[string]uint64{"8": 8, "16": 16, "32": 32}[name[strings.Index(name, "store")+5:]]
		b.storeMem(b.cur.NewTrunc(val, intType(bits)), addr, in.Offset)
	case "v128.store8_lane", "v128.store16_lane", "v128.store32_lane", "v128.store64_lane":
		var bits uint64
		fmt.Sscanf(name, "v128.store%d_lane", &bits)
		vec := b.as(val, vecType(128/bits, intType(bits)))
		b.storeMem(b.cur.NewExtractElement(vec, i32c(int64(in.Lane))), addr, in.Offset)
	default:
		return fmt.Errorf("unsupported store")
	}
	return nil
}
