package llvm

import (
	"fmt"

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
	info := in.Op.Info()
	p := info.Props
	addr := b.arg(in, 0)
	bits := uint64(p.Width)
	var v value
	switch p.Base {
	case ir.BaseLoad:
		to := b.m.valType(info.Results[0])
		if p.Width == p.Shape.LaneBits() {
			v = b.loadMem(to, addr, in.Offset)
			break
		}
		raw := b.loadMem(intType(bits), addr, in.Offset)
		if p.Sign == ir.Signed {
			v = b.cur.NewSExt(raw, to)
		} else {
			v = b.cur.NewZExt(raw, to)
		}
	case ir.BaseLoadExtend:
		lanes, half := uint64(p.Shape.Lanes()), uint64(p.Shape.LaneBits()/2)
		raw := b.loadMem(vecType(lanes, intType(half)), addr, in.Offset)
		wide := vecType(lanes, intType(2*half))
		if p.Sign == ir.Signed {
			v = b.toV128(b.cur.NewSExt(raw, wide))
		} else {
			v = b.toV128(b.cur.NewZExt(raw, wide))
		}
	case ir.BaseLoadSplat:
		s := b.loadMem(intType(bits), addr, in.Offset)
		v = b.toV128(b.splat(s, 128/bits))
	case ir.BaseLoadZero:
		s := b.loadMem(intType(bits), addr, in.Offset)
		vt := vecType(128/bits, intType(bits))
		v = b.toV128(b.cur.NewInsertElement(zeroOf(vt), s, i32c(0)))
	case ir.BaseLoadLane:
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
	p := in.Op.Info().Props
	addr, val := b.arg(in, 0), b.arg(in, 1)
	bits := uint64(p.Width)
	switch p.Base {
	case ir.BaseStore:
		if p.Width == p.Shape.LaneBits() {
			b.storeMem(val, addr, in.Offset)
		} else {
			b.storeMem(b.cur.NewTrunc(val, intType(bits)), addr, in.Offset)
		}
	case ir.BaseStoreLane:
		vec := b.as(val, vecType(128/bits, intType(bits)))
		b.storeMem(b.cur.NewExtractElement(vec, i32c(int64(in.Lane))), addr, in.Offset)
	default:
		return fmt.Errorf("unsupported store")
	}
	return nil
}
