package interp

import (
	"encoding/binary"

	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/lower/numeric"
	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// memOp describes a load or store: how many bytes it touches and how the
// bytes become the result (or the stored bytes come from the operand).
type memOp struct {
	size int
	// signBits: sign-extend the loaded bytes from this many bits (0: zero-extend).
	signBits int
	// mask keeps the low bits of the result (i32 results).
	mask uint64
	// post: a SIMD instruction applied to the loaded bytes (as an
	// i32/i64 scalar for splats, as a v128 otherwise); lane loads apply
	// replace_lane to the vector operand.
	post wasm.Opcode
	lane bool // load/store lane
}

const mask32 = 0xFFFF_FFFF

var memOps = map[wasm.Opcode]*memOp{
	wasm.OpI32Load: {size: 4, mask: mask32}, wasm.OpI64Load: {size: 8}, wasm.OpF32Load: {size: 4}, wasm.OpF64Load: {size: 8},
	wasm.OpI32Load8S: {size: 1, signBits: 8, mask: mask32}, wasm.OpI32Load8U: {size: 1},
	wasm.OpI32Load16S: {size: 2, signBits: 16, mask: mask32}, wasm.OpI32Load16U: {size: 2},
	wasm.OpI64Load8S: {size: 1, signBits: 8}, wasm.OpI64Load8U: {size: 1},
	wasm.OpI64Load16S: {size: 2, signBits: 16}, wasm.OpI64Load16U: {size: 2},
	wasm.OpI64Load32S: {size: 4, signBits: 32}, wasm.OpI64Load32U: {size: 4},
	wasm.OpI32Store: {size: 4}, wasm.OpI64Store: {size: 8}, wasm.OpF32Store: {size: 4}, wasm.OpF64Store: {size: 8},
	wasm.OpI32Store8: {size: 1}, wasm.OpI32Store16: {size: 2},
	wasm.OpI64Store8: {size: 1}, wasm.OpI64Store16: {size: 2}, wasm.OpI64Store32: {size: 4},
	wasm.OpV128Load: {size: 16}, wasm.OpV128Store: {size: 16},
	wasm.OpV128Load8x8S: {size: 8, post: wasm.OpI16x8ExtendLowI8x16S}, wasm.OpV128Load8x8U: {size: 8, post: wasm.OpI16x8ExtendLowI8x16U},
	wasm.OpV128Load16x4S: {size: 8, post: wasm.OpI32x4ExtendLowI16x8S}, wasm.OpV128Load16x4U: {size: 8, post: wasm.OpI32x4ExtendLowI16x8U},
	wasm.OpV128Load32x2S: {size: 8, post: wasm.OpI64x2ExtendLowI32x4S}, wasm.OpV128Load32x2U: {size: 8, post: wasm.OpI64x2ExtendLowI32x4U},
	wasm.OpV128Load8Splat: {size: 1, post: wasm.OpI8x16Splat}, wasm.OpV128Load16Splat: {size: 2, post: wasm.OpI16x8Splat},
	wasm.OpV128Load32Splat: {size: 4, post: wasm.OpI32x4Splat}, wasm.OpV128Load64Splat: {size: 8, post: wasm.OpI64x2Splat},
	wasm.OpV128Load32Zero: {size: 4}, wasm.OpV128Load64Zero: {size: 8},
	wasm.OpV128Load8Lane:  {size: 1, post: wasm.OpI8x16ReplaceLane, lane: true},
	wasm.OpV128Load16Lane: {size: 2, post: wasm.OpI16x8ReplaceLane, lane: true},
	wasm.OpV128Load32Lane: {size: 4, post: wasm.OpI32x4ReplaceLane, lane: true},
	wasm.OpV128Load64Lane: {size: 8, post: wasm.OpI64x2ReplaceLane, lane: true},
	wasm.OpV128Store8Lane: {size: 1, lane: true}, wasm.OpV128Store16Lane: {size: 2, lane: true},
	wasm.OpV128Store32Lane: {size: 4, lane: true}, wasm.OpV128Store64Lane: {size: 8, lane: true},
}

// access returns the bytes an unchecked load or store touches. An address
// outside memory means a bounds check is missing: an internal error.
func (inst *Instance) access(in *cinstr, regs []Value) []byte {
	data := inst.mems[0].Data
	addr := uint64(uint32(regs[in.Args[0]].Lo)) + uint64(in.Offset)
	end := addr + uint64(in.mem.size)
	if end > uint64(len(data)) {
		internalf("%s at address %d+%d is not covered by a bounds check", in.Op, addr-uint64(in.Offset), in.Offset)
	}
	return data[addr:end]
}

func readLE(b []byte) Value {
	var buf [16]byte
	copy(buf[:], b)
	return Value{Lo: binary.LittleEndian.Uint64(buf[:8]), Hi: binary.LittleEndian.Uint64(buf[8:])}
}

func (inst *Instance) load(in *cinstr, regs []Value) Value {
	op := in.mem
	v := readLE(inst.access(in, regs))
	if op.signBits > 0 {
		shift := 64 - op.signBits
		v.Lo = uint64(int64(v.Lo<<shift) >> shift)
	}
	if op.mask != 0 {
		v.Lo &= op.mask
	}
	if op.post != 0 {
		args := []Value{v}
		if op.lane {
			args = []Value{regs[in.Args[1]], v}
		}
		v, _ = numeric.Eval(&wasm.Instr{Op: op.post, Lane: in.Lane}, args)
	}
	return v
}

func (inst *Instance) store(in *cinstr, regs []Value) {
	b := inst.access(in, regs)
	v := regs[in.Args[1]]
	if in.mem.lane { // shift the lane down to byte 0
		bits := uint(in.Lane) * uint(in.mem.size) * 8
		switch {
		case bits >= 64:
			v = Value{Lo: v.Hi >> (bits - 64)}
		case bits > 0:
			v = Value{Lo: v.Lo>>bits | v.Hi<<(64-bits)}
		}
	}
	var buf [16]byte
	binary.LittleEndian.PutUint64(buf[:8], v.Lo)
	binary.LittleEndian.PutUint64(buf[8:], v.Hi)
	copy(b, buf[:len(b)])
}

// grow adds delta pages and returns the old size in pages, or -1.
func (m *Memory) grow(delta uint32) int32 {
	old := uint32(len(m.Data) / pageSize)
	if uint64(old)+uint64(delta) > uint64(m.max) {
		return -1
	}
	m.Data = append(m.Data, make([]byte, int(delta)*pageSize)...)
	return int32(old)
}

func trap(code abi.TrapCode) {
	panic(trapPanic{&abi.Trap{Code: code, Func: -1, Offset: -1}})
}

// inRange reports whether [start, start+n) lies within size.
func inRange(start, n uint32, size int) bool {
	return uint64(start)+uint64(n) <= uint64(size)
}

func (inst *Instance) memoryFill(mem, dst uint32, val byte, n uint32) {
	data := inst.mems[mem].Data
	if !inRange(dst, n, len(data)) {
		trap(abi.TrapMemoryOutOfBounds)
	}
	for i := range data[dst : dst+n] {
		data[dst+uint32(i)] = val
	}
}

func (inst *Instance) memoryCopy(mem, dst, src, n uint32) {
	data := inst.mems[mem].Data
	if !inRange(dst, n, len(data)) || !inRange(src, n, len(data)) {
		trap(abi.TrapMemoryOutOfBounds)
	}
	copy(data[dst:dst+n], data[src:src+n])
}

func (inst *Instance) memoryInit(mem, seg, dst, src, n uint32) {
	data := inst.mems[mem].Data
	init := inst.datas[seg]
	if !inRange(src, n, len(init)) || !inRange(dst, n, len(data)) {
		trap(abi.TrapMemoryOutOfBounds)
	}
	copy(data[dst:dst+n], init[src:src+n])
}

// grow adds delta elements set to ref and returns the old size, or -1.
func (t *Table) grow(delta uint32, ref uint64) int32 {
	old := uint32(len(t.Elems))
	if uint64(old)+uint64(delta) > uint64(t.max) {
		return -1
	}
	for range delta {
		t.Elems = append(t.Elems, ref)
	}
	return int32(old)
}

func (inst *Instance) tableFill(table, dst uint32, ref uint64, n uint32) {
	elems := inst.tables[table].Elems
	if !inRange(dst, n, len(elems)) {
		trap(abi.TrapTableOutOfBounds)
	}
	for i := dst; i < dst+n; i++ {
		elems[i] = ref
	}
}

func (inst *Instance) tableCopy(dstTable, srcTable, dst, src, n uint32) {
	d, s := inst.tables[dstTable].Elems, inst.tables[srcTable].Elems
	if !inRange(dst, n, len(d)) || !inRange(src, n, len(s)) {
		trap(abi.TrapTableOutOfBounds)
	}
	copy(d[dst:dst+n], s[src:src+n])
}

func (inst *Instance) tableInit(table, seg, dst, src, n uint32) {
	elems := inst.tables[table].Elems
	init := inst.elems[seg]
	if !inRange(src, n, len(init)) || !inRange(dst, n, len(elems)) {
		trap(abi.TrapTableOutOfBounds)
	}
	copy(elems[dst:dst+n], init[src:src+n])
}
