package arm64

// This file encodes the Advanced SIMD (NEON) forms the v128 operations
// use. Each group shares one layout; an operation constant holds its U
// bit and opcode (and, for floating point, the marker fpOp plus the bit
// that distinguishes e.g. FMIN from FMAX), and the arrangement supplies Q
// and the element size.

// Arr is a vector arrangement: element size (0 byte … 3 doubleword) and
// whether all 128 bits are used (Q).
type Arr uint8

// Arrangements. The 64-bit ones select the lower half, and for the
// widening and narrowing forms the "2" (upper half) variants are the
// 128-bit ones.
const (
	B8  Arr = 0
	H4  Arr = 1
	S2  Arr = 2
	D1  Arr = 3
	B16 Arr = 4
	H8  Arr = 5
	S4  Arr = 6
	D2  Arr = 7
)

func (r Arr) size() uint32 { return uint32(r & 3) }
func (r Arr) q() uint32    { return uint32(r>>2) << 30 }

// VOp is a NEON operation of one of the groups below.
type VOp uint32

// fpOp marks a floating-point operation: its size field is the "a" bit
// already in the constant plus sz (1 for doubles) from the arrangement.
const fpOp VOp = 1 << 31

// sizeField is the size bits for op on arr.
func (op VOp) sizeField(arr Arr) uint32 {
	if op&fpOp != 0 {
		return (arr.size() & 1) << 22
	}
	return arr.size() << 22
}

func (op VOp) bits() uint32 { return uint32(op &^ fpOp) }

func u3(u, opcode uint32) VOp { return VOp(u<<29 | opcode<<11) }

// Three registers of the same arrangement (V3).
var (
	VADD      = u3(0, 0x10)
	VSUB      = u3(1, 0x10)
	VMUL      = u3(0, 0x13)
	VSQADD    = u3(0, 0x01)
	VUQADD    = u3(1, 0x01)
	VSQSUB    = u3(0, 0x05)
	VUQSUB    = u3(1, 0x05)
	VSMAX     = u3(0, 0x0c)
	VUMAX     = u3(1, 0x0c)
	VSMIN     = u3(0, 0x0d)
	VUMIN     = u3(1, 0x0d)
	VURHADD   = u3(1, 0x02)
	VCMEQ     = u3(1, 0x11)
	VCMGT     = u3(0, 0x06)
	VCMHI     = u3(1, 0x06)
	VCMGE     = u3(0, 0x07)
	VCMHS     = u3(1, 0x07)
	VSSHL     = u3(0, 0x08)
	VUSHL     = u3(1, 0x08)
	VSQRDMULH = u3(1, 0x16)
	VADDP     = u3(0, 0x17)
	// Bitwise operations: the size field is part of the operation; use
	// them with B16.
	VAND = u3(0, 0x03)
	VBIC = u3(0, 0x03) | 1<<22
	VORR = u3(0, 0x03) | 2<<22
	VEOR = u3(1, 0x03)
	VBSL = u3(1, 0x03) | 1<<22
	// Floating point.
	VFADD  = fpOp | u3(0, 0x1a)
	VFSUB  = fpOp | u3(0, 0x1a) | 1<<23
	VFMUL  = fpOp | u3(1, 0x1b)
	VFDIV  = fpOp | u3(1, 0x1f)
	VFMAX  = fpOp | u3(0, 0x1e)
	VFMIN  = fpOp | u3(0, 0x1e) | 1<<23
	VFCMEQ = fpOp | u3(0, 0x1c)
	VFCMGE = fpOp | u3(1, 0x1c)
	VFCMGT = fpOp | u3(1, 0x1c) | 1<<23
)

// V3 emits op rd.arr, rn.arr, rm.arr.
func (a *Asm) V3(op VOp, arr Arr, rd, rn, rm Reg) {
	a.Emit(0x0E200400 | arr.q() | op.bits() | op.sizeField(arr) | rm.enc()<<16 | rn.enc()<<5 | rd.enc())
}

func u2(u, opcode uint32) VOp { return VOp(u<<29 | opcode<<12) }

// Two-register miscellaneous operations (V2). For the narrowing ones the
// arrangement is the destination's (Q=1: the "2" variant writing the
// upper half); for the pairwise widening ones the source's.
var (
	VABS    = u2(0, 0x0b)
	VNEG    = u2(1, 0x0b)
	VCNT    = u2(0, 0x05)
	VNOT    = u2(1, 0x05)
	VCMEQZ  = u2(0, 0x09)
	VSADDLP = u2(0, 0x02)
	VUADDLP = u2(1, 0x02)
	VXTN    = u2(0, 0x12)
	VSQXTN  = u2(0, 0x14)
	VUQXTN  = u2(1, 0x14)
	VSQXTUN = u2(1, 0x12)
	VFABS   = fpOp | u2(0, 0x0f) | 1<<23
	VFNEG   = fpOp | u2(1, 0x0f) | 1<<23
	VFSQRT  = fpOp | u2(1, 0x1f) | 1<<23
	VFRINTN = fpOp | u2(0, 0x18)
	VFRINTM = fpOp | u2(0, 0x19)
	VFRINTP = fpOp | u2(0, 0x18) | 1<<23
	VFRINTZ = fpOp | u2(0, 0x19) | 1<<23
	VSCVTF  = fpOp | u2(0, 0x1d)
	VUCVTF  = fpOp | u2(1, 0x1d)
	VFCVTZS = fpOp | u2(0, 0x1b) | 1<<23
	VFCVTZU = fpOp | u2(1, 0x1b) | 1<<23
	// FCVTN narrows two doubles into the lower half and FCVTL widens the
	// lower two singles; use both with D1 (sz=1, lower half).
	VFCVTN = fpOp | u2(0, 0x16)
	VFCVTL = fpOp | u2(0, 0x17)
)

// V2 emits op rd, rn.
func (a *Asm) V2(op VOp, arr Arr, rd, rn Reg) {
	a.Emit(0x0E200800 | arr.q() | op.bits() | op.sizeField(arr) | rn.enc()<<5 | rd.enc())
}

// Across-lanes operations (VAcross): the result is a scalar in rd.
var (
	VUMAXV = u2(1, 0x0a)
	VUMINV = u2(1, 0x1a)
	VADDV  = u2(0, 0x1b)
)

// VAcross emits op rd (scalar), rn.arr.
func (a *Asm) VAcross(op VOp, arr Arr, rd, rn Reg) {
	a.Emit(0x0E300800 | arr.q() | op.bits() | op.sizeField(arr) | rn.enc()<<5 | rd.enc())
}

// Three registers of different arrangements (V3Diff): long multiplies.
// The arrangement is the sources' (Q=1: the "2" variant on upper halves).
var (
	VSMULL = u2(0, 0x0c)
	VUMULL = u2(1, 0x0c)
)

// V3Diff emits op rd (wide), rn.arr, rm.arr.
func (a *Asm) V3Diff(op VOp, arr Arr, rd, rn, rm Reg) {
	a.Emit(0x0E200000 | arr.q() | op.bits() | arr.size()<<22 | rm.enc()<<16 | rn.enc()<<5 | rd.enc())
}

// Shifts by an immediate (VShift). For SSHLL/USHLL the arrangement is the
// source's (Q=1: the "2" variant).
var (
	VSSHR  = u3(0, 0x00)
	VUSHR  = u3(1, 0x00)
	VSHL   = u3(0, 0x0a)
	VSSHLL = u3(0, 0x14)
	VUSHLL = u3(1, 0x14)
)

// VShift emits op rd, rn.arr, #shift.
func (a *Asm) VShift(op VOp, arr Arr, rd, rn Reg, shift uint32) {
	esize := uint32(8) << arr.size()
	imm := esize + shift // left shifts
	if op == VSSHR || op == VUSHR {
		imm = 2*esize - shift
	}
	a.Emit(0x0F000400 | arr.q() | op.bits() | imm<<16 | rn.enc()<<5 | rd.enc())
}

// imm5 encodes element size and index for the copy forms.
func imm5(size, index uint32) uint32 { return (index<<1 | 1) << size }

// DupElem emits DUP rd.arr, rn.T[index] (T the arrangement's element).
func (a *Asm) DupElem(arr Arr, rd, rn Reg, index uint32) {
	a.Emit(0x0E000400 | arr.q() | imm5(arr.size(), index)<<16 | rn.enc()<<5 | rd.enc())
}

// DupGen emits DUP rd.arr, wn/xn.
func (a *Asm) DupGen(arr Arr, rd, rn Reg) {
	a.Emit(0x0E000C00 | arr.q() | imm5(arr.size(), 0)<<16 | rn.enc()<<5 | rd.enc())
}

// InsGen emits INS rd.T[index], wn/xn (element size from arr).
func (a *Asm) InsGen(arr Arr, rd Reg, index uint32, rn Reg) {
	a.Emit(0x4E001C00 | imm5(arr.size(), index)<<16 | rn.enc()<<5 | rd.enc())
}

// InsElem emits INS rd.T[dst], rn.T[src].
func (a *Asm) InsElem(arr Arr, rd Reg, dst uint32, rn Reg, src uint32) {
	a.Emit(0x6E000400 | imm5(arr.size(), dst)<<16 | (src<<arr.size())<<11 | rn.enc()<<5 | rd.enc())
}

// Umov moves lane index of rn, zero-extended, to a general register
// (64-bit only for doubleword lanes).
func (a *Asm) Umov(arr Arr, rd, rn Reg, index uint32) {
	var q uint32
	if arr.size() == 3 {
		q = 1 << 30
	}
	a.Emit(0x0E003C00 | q | imm5(arr.size(), index)<<16 | rn.enc()<<5 | rd.enc())
}

// Smov moves lane index of rn, sign-extended to 32 (x=false) or 64 bits.
func (a *Asm) Smov(arr Arr, x bool, rd, rn Reg, index uint32) {
	a.Emit(0x0E002C00 | b2u(x)<<30 | imm5(arr.size(), index)<<16 | rn.enc()<<5 | rd.enc())
}

// DupScalar copies lane index of rn to the scalar rd (MOV sd/dd, vn.T[i]),
// zeroing the rest of rd.
func (a *Asm) DupScalar(arr Arr, rd, rn Reg, index uint32) {
	a.Emit(0x5E000400 | imm5(arr.size(), index)<<16 | rn.enc()<<5 | rd.enc())
}

// Tbl looks up bytes of the table of n consecutive registers starting at
// rn by the indices in rm; an index out of range gives 0.
func (a *Asm) Tbl(rd, rn Reg, n uint32, rm Reg) {
	a.Emit(0x4E000000 | rm.enc()<<16 | (n-1)<<13 | rn.enc()<<5 | rd.enc())
}

// Ext extracts 16 bytes from the pair rn:rm starting at byte index.
func (a *Asm) Ext(rd, rn, rm Reg, index uint32) {
	a.Emit(0x6E000000 | rm.enc()<<16 | index<<11 | rn.enc()<<5 | rd.enc())
}

// MoviZero sets all 128 bits of rd to zero.
func (a *Asm) MoviZero(rd Reg) { a.Emit(0x6F00E400 | rd.enc()) }
