package arm64

import "fmt"

// This file is the AArch64 encoder: one method per instruction form the
// code generator uses, appending 32-bit instruction words to an Asm. Every
// form is checked by decoding it back with golang.org/x/arch/arm64/arm64asm
// and against llvm-mc's encoding (encode_test.go). Branches to labels and
// their range handling are in branch.go.
//
// Only the ARMv8.0-A base instruction set with FP and Advanced SIMD is
// used: no LSE atomics, no FEAT_FRINTTS, no FEAT_JSCVT.

// Reg is a machine register: general-purpose registers X0–X30 as 0–30,
// ZR (encoding 31 where it means the zero register), SP (encoding 31 where
// it means the stack pointer), then the SIMD&FP registers V0–V31.
type Reg uint8

// General-purpose registers. X18 (platform register) and X28 (Go's g) are
// never allocated and no form here is ever given them by the code
// generator; a disassembler check over whole objects proves it.
const (
	X0 Reg = iota
	X1
	X2
	X3
	X4
	X5
	X6
	X7
	X8
	X9
	X10
	X11
	X12
	X13
	X14
	X15
	X16
	X17
	X18
	X19
	X20
	X21
	X22
	X23
	X24
	X25
	X26
	X27
	X28
	X29
	X30
	ZR
	SP
)

// FP and LR are the frame pointer and link register.
const (
	FP = X29
	LR = X30
)

// V0 is the first SIMD&FP register; V0+i is Vi.
const V0 Reg = 64

// IsV reports whether r is a SIMD&FP register.
func (r Reg) IsV() bool { return r >= V0 && r < V0+32 }

// enc is the 5-bit register field; SP and ZR both encode as 31.
func (r Reg) enc() uint32 {
	switch {
	case r == SP || r == ZR:
		return 31
	case r.IsV():
		return uint32(r - V0)
	case r < ZR:
		return uint32(r)
	}
	panic(fmt.Sprintf("arm64: bad register %d", r))
}

func (r Reg) String() string {
	switch {
	case r == SP:
		return "sp"
	case r == ZR:
		return "xzr"
	case r.IsV():
		return fmt.Sprintf("v%d", r-V0)
	case r < ZR:
		return fmt.Sprintf("x%d", r)
	}
	return fmt.Sprintf("reg%d", r)
}

// Cond is an AArch64 condition code.
type Cond uint8

// Condition codes in hardware numbering.
const (
	EQ Cond = iota
	NE
	HS // unsigned >= (carry set)
	LO // unsigned <
	MI
	PL
	VS
	VC
	HI // unsigned >
	LS // unsigned <=
	GE
	LT
	GT
	LE
	AL
)

// Invert is the condition that holds exactly when c does not (c ≠ AL).
func (c Cond) Invert() Cond { return c ^ 1 }

var condNames = [...]string{"eq", "ne", "hs", "lo", "mi", "pl", "vs", "vc", "hi", "ls", "ge", "lt", "gt", "le", "al", "nv"}

func (c Cond) String() string { return condNames[c&15] }

// Asm accumulates instruction words. Label-relative branches are recorded
// as fixups and resolved, with range relaxation, by Finish (branch.go).
type Asm struct {
	words  []uint32
	fixups []fixup
	labels []int // word index a label is bound to, -1 while unbound
}

// Emit appends one raw instruction word.
func (a *Asm) Emit(w uint32) { a.words = append(a.words, w) }

// Len is the number of words emitted so far (before relaxation).
func (a *Asm) Len() int { return len(a.words) }

func sf(x bool) uint32 {
	if x {
		return 1 << 31
	}
	return 0
}

func b2u(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}

func fits(v int64, bits uint) bool {
	return v >= -(1<<(bits-1)) && v < 1<<(bits-1)
}

// --- Data processing, immediate ---

// AddSubImm is ADD, ADDS, SUB or SUBS with an immediate.
type AddSubImm uint32

// Add/subtract operations (op and S bits in place).
const (
	ADD  AddSubImm = 0
	ADDS AddSubImm = 1 << 29
	SUB  AddSubImm = 1 << 30
	SUBS AddSubImm = 3 << 29
)

// AddImm emits op rd, rn, #imm where imm is a 12-bit value optionally
// shifted left by 12. rd/rn may be SP for ADD/SUB (rd may be ZR for the
// flag-setting forms, i.e. CMP/CMN). It panics on an immediate it cannot
// encode; use ImmAddEncodable first.
func (a *Asm) AddImm(op AddSubImm, x bool, rd, rn Reg, imm uint32) {
	var sh uint32
	if imm >= 1<<12 {
		if imm&0xfff != 0 || imm >= 1<<24 {
			panic(fmt.Sprintf("arm64: add/sub immediate %#x not encodable", imm))
		}
		sh, imm = 1, imm>>12
	}
	a.Emit(sf(x) | uint32(op) | 0x11000000 | sh<<22 | imm<<10 | rn.enc()<<5 | rd.enc())
}

// ImmAddEncodable reports whether AddImm can encode imm.
func ImmAddEncodable(imm uint64) bool {
	return imm < 1<<12 || (imm&0xfff == 0 && imm < 1<<24)
}

// Logic is AND, ORR, EOR or ANDS (opc bits in place).
type Logic uint32

// Logical operations.
const (
	AND  Logic = 0
	ORR  Logic = 1 << 29
	EOR  Logic = 2 << 29
	ANDS Logic = 3 << 29
)

// LogicImm emits op rd, rn, #imm with a bitmask immediate. rd may be SP
// for AND/ORR/EOR. It panics if imm is not a bitmask immediate; check with
// EncodeBitmask first.
func (a *Asm) LogicImm(op Logic, x bool, rd, rn Reg, imm uint64) {
	n, immr, imms, ok := EncodeBitmask(imm, x)
	if !ok {
		panic(fmt.Sprintf("arm64: %#x is not a bitmask immediate", imm))
	}
	a.Emit(sf(x) | uint32(op) | 0x12000000 | n<<22 | immr<<16 | imms<<10 | rn.enc()<<5 | rd.enc())
}

// EncodeBitmask finds the N:immr:imms fields of a logical immediate: a
// 2, 4, …, 64-bit element, replicated, holding one rotated run of ones.
// All-zero and all-one values are not encodable.
func EncodeBitmask(v uint64, x bool) (n, immr, imms uint32, ok bool) {
	width := uint(64)
	if !x {
		v &= 0xffffffff
		v |= v << 32
	}
	if v == 0 || v == ^uint64(0) {
		return 0, 0, 0, false
	}
	// Shrink to the smallest element whose replication is v.
	e := width
	for e > 2 {
		half := e / 2
		mask := uint64(1)<<half - 1
		if v&mask != (v>>half)&mask {
			break
		}
		e = half
	}
	mask := ^uint64(0)
	if e < 64 {
		mask = uint64(1)<<e - 1
	}
	p := v & mask
	ones := 0
	for t := p; t != 0; t &= t - 1 {
		ones++
	}
	run := uint64(1)<<uint(ones) - 1
	for r := uint(0); r < e; r++ {
		// Rotating p left by r gives the low run iff p = ROR(run, r).
		rot := (p<<r | p>>(e-r)) & mask
		if r == 0 {
			rot = p
		}
		if rot == run {
			immr = uint32(r)
			imms = uint32((^(e-1))<<1)&0x3f | uint32(ones-1)
			if e == 64 {
				n = 1
			}
			if !x && n == 1 {
				return 0, 0, 0, false
			}
			return n, immr, imms, true
		}
	}
	return 0, 0, 0, false
}

// MoveWide is MOVN, MOVZ or MOVK (opc bits in place).
type MoveWide uint32

// Move-wide operations.
const (
	MOVN MoveWide = 0
	MOVZ MoveWide = 2 << 29
	MOVK MoveWide = 3 << 29
)

// MovWide emits op rd, #imm16, lsl #shift (shift 0, 16, 32 or 48; 32 and
// 48 only for 64-bit).
func (a *Asm) MovWide(op MoveWide, x bool, rd Reg, imm16 uint16, shift uint) {
	if shift%16 != 0 || shift > 48 || (!x && shift > 16) {
		panic(fmt.Sprintf("arm64: move-wide shift %d", shift))
	}
	a.Emit(sf(x) | uint32(op) | 0x12800000 | uint32(shift/16)<<21 | uint32(imm16)<<5 | rd.enc())
}

// MovImm loads any constant into rd with the shortest sequence: one
// MOVZ/MOVN or ORR-immediate when possible, else MOVZ/MOVN plus MOVKs.
func (a *Asm) MovImm(x bool, rd Reg, v uint64) {
	chunks := 4
	if !x {
		v &= 0xffffffff
		chunks = 2
	}
	var zeros, ones int
	for i := 0; i < chunks; i++ {
		switch uint16(v >> (16 * i)) {
		case 0:
			zeros++
		case 0xffff:
			ones++
		}
	}
	if zeros < chunks-1 && ones < chunks-1 {
		if _, _, _, ok := EncodeBitmask(v, x); ok {
			a.LogicImm(ORR, x, rd, ZR, v)
			return
		}
	}
	op, skip := MOVZ, uint16(0)
	if ones > zeros {
		op, skip = MOVN, 0xffff
	}
	first := true
	for i := 0; i < chunks; i++ {
		c := uint16(v >> (16 * i))
		if c == skip {
			continue
		}
		if first {
			if op == MOVN {
				c = ^c
			}
			a.MovWide(op, x, rd, c, uint(16*i))
			first = false
		} else {
			a.MovWide(MOVK, x, rd, c, uint(16*i))
		}
	}
	if first { // v is all skip chunks: 0 or all ones
		a.MovWide(op, x, rd, 0, 0)
	}
}

// Bitfield is SBFM, BFM or UBFM (opc bits in place).
type Bitfield uint32

// Bitfield operations.
const (
	SBFM Bitfield = 0
	BFM  Bitfield = 1 << 29
	UBFM Bitfield = 2 << 29
)

// BitfieldImm emits op rd, rn, #immr, #imms.
func (a *Asm) BitfieldImm(op Bitfield, x bool, rd, rn Reg, immr, imms uint32) {
	a.Emit(sf(x) | uint32(op) | 0x13000000 | b2u(x)<<22 | immr<<16 | imms<<10 | rn.enc()<<5 | rd.enc())
}

func width(x bool) uint32 {
	if x {
		return 64
	}
	return 32
}

// LslImm, LsrImm and AsrImm shift by a constant (0 < n < width).
func (a *Asm) LslImm(x bool, rd, rn Reg, n uint32) {
	w := width(x)
	a.BitfieldImm(UBFM, x, rd, rn, (w-n)%w, w-1-n)
}

// LsrImm is a logical right shift by a constant.
func (a *Asm) LsrImm(x bool, rd, rn Reg, n uint32) { a.BitfieldImm(UBFM, x, rd, rn, n, width(x)-1) }

// AsrImm is an arithmetic right shift by a constant.
func (a *Asm) AsrImm(x bool, rd, rn Reg, n uint32) { a.BitfieldImm(SBFM, x, rd, rn, n, width(x)-1) }

// RorImm rotates right by a constant (EXTR rd, rn, rn, #n).
func (a *Asm) RorImm(x bool, rd, rn Reg, n uint32) {
	a.Emit(sf(x) | 0x13800000 | b2u(x)<<22 | rn.enc()<<16 | n<<10 | rn.enc()<<5 | rd.enc())
}

// Extend sign- or zero-extends the low `from` bytes (1, 2 or 4) of rn into
// rd. Zero-extending 4 bytes is MOV wd, wn (use Mov with x=false).
func (a *Asm) Extend(signed, x bool, rd, rn Reg, from int) {
	imms := uint32(from*8 - 1)
	if signed {
		a.BitfieldImm(SBFM, x, rd, rn, 0, imms)
		return
	}
	if from == 4 {
		panic("arm64: zero-extend a word with a 32-bit MOV")
	}
	a.BitfieldImm(UBFM, false, rd, rn, 0, imms)
}

// Adr emits ADR rd, #off (pc-relative, ±1 MiB). ADRP is emitted by
// AdrpReloc with a relocation.
func (a *Asm) Adr(rd Reg, off int32) {
	if !fits(int64(off), 21) {
		panic("arm64: adr offset out of range")
	}
	u := uint32(off) & (1<<21 - 1)
	a.Emit(0x10000000 | (u&3)<<29 | (u>>2)<<5 | rd.enc())
}

// Adrp emits ADRP rd with a zero page offset, for a relocation to fill.
func (a *Asm) Adrp(rd Reg) { a.Emit(0x90000000 | rd.enc()) }

// --- Data processing, register ---

// Shift is the shift applied to the second register operand.
type Shift uint32

// Shift kinds.
const (
	LSL Shift = iota
	LSR
	ASR
	ROR
)

// AddSub emits op rd, rn, rm{, shift #amount} (shifted register form; SP
// is not allowed, use AddExt).
func (a *Asm) AddSub(op AddSubImm, x bool, rd, rn, rm Reg, sh Shift, amount uint32) {
	if sh == ROR {
		panic("arm64: add/sub cannot rotate")
	}
	a.Emit(sf(x) | uint32(op) | 0x0B000000 | uint32(sh)<<22 | rm.enc()<<16 | amount<<10 | rn.enc()<<5 | rd.enc())
}

// Extend kinds of the extended-register and register-offset forms.
type ExtendKind uint32

// Extend options.
const (
	UXTB ExtendKind = 0
	UXTH ExtendKind = 1
	UXTW ExtendKind = 2
	UXTX ExtendKind = 3
	SXTB ExtendKind = 4
	SXTH ExtendKind = 5
	SXTW ExtendKind = 6
	SXTX ExtendKind = 7
)

// AddExt emits op rd, rn, rm, ext #amount (extended register form; rd and
// rn may be SP, amount ≤ 4).
func (a *Asm) AddExt(op AddSubImm, x bool, rd, rn, rm Reg, ext ExtendKind, amount uint32) {
	a.Emit(sf(x) | uint32(op) | 0x0B200000 | rm.enc()<<16 | uint32(ext)<<13 | amount<<10 | rn.enc()<<5 | rd.enc())
}

// LogicReg emits op rd, rn, rm{, shift #amount}; invert selects BIC, ORN,
// EON or BICS (the second operand negated).
func (a *Asm) LogicReg(op Logic, invert, x bool, rd, rn, rm Reg, sh Shift, amount uint32) {
	a.Emit(sf(x) | uint32(op) | 0x0A000000 | uint32(sh)<<22 | b2u(invert)<<21 | rm.enc()<<16 | amount<<10 | rn.enc()<<5 | rd.enc())
}

// Mov copies rm to rd (ORR rd, zr, rm). Neither may be SP; use MovSP.
func (a *Asm) Mov(x bool, rd, rm Reg) { a.LogicReg(ORR, false, x, rd, ZR, rm, LSL, 0) }

// MovSP copies between SP and a register (ADD rd, rn, #0).
func (a *Asm) MovSP(rd, rn Reg) { a.AddImm(ADD, true, rd, rn, 0) }

// CondSel is CSEL, CSINC, CSINV or CSNEG (op and op2 bits in place).
type CondSel uint32

// Conditional select operations.
const (
	CSEL  CondSel = 0
	CSINC CondSel = 1 << 10
	CSINV CondSel = 1 << 30
	CSNEG CondSel = 1<<30 | 1<<10
)

// CondSelect emits op rd, rn, rm, cond.
func (a *Asm) CondSelect(op CondSel, x bool, rd, rn, rm Reg, c Cond) {
	a.Emit(sf(x) | uint32(op) | 0x1A800000 | rm.enc()<<16 | uint32(c)<<12 | rn.enc()<<5 | rd.enc())
}

// Cset sets rd to 1 if c holds, else 0 (CSINC rd, zr, zr, !c).
func (a *Asm) Cset(x bool, rd Reg, c Cond) { a.CondSelect(CSINC, x, rd, ZR, ZR, c.Invert()) }

// DP2 is a two-source data-processing operation (opcode in place).
type DP2 uint32

// Two-source operations.
const (
	UDIV DP2 = 0x02 << 10
	SDIV DP2 = 0x03 << 10
	LSLV DP2 = 0x08 << 10
	LSRV DP2 = 0x09 << 10
	ASRV DP2 = 0x0a << 10
	RORV DP2 = 0x0b << 10
)

// DataProc2 emits op rd, rn, rm.
func (a *Asm) DataProc2(op DP2, x bool, rd, rn, rm Reg) {
	a.Emit(sf(x) | uint32(op) | 0x1AC00000 | rm.enc()<<16 | rn.enc()<<5 | rd.enc())
}

// DP1 is a one-source data-processing operation (opcode in place).
type DP1 uint32

// One-source operations. REV is REV32 (byte swap of a word) with x=false
// and the 64-bit swap with x=true; the encoder fixes the opcode.
const (
	RBIT  DP1 = 0x00 << 10
	REV16 DP1 = 0x01 << 10
	REV   DP1 = 0x02 << 10
	CLZ   DP1 = 0x04 << 10
	CLS   DP1 = 0x05 << 10
)

// DataProc1 emits op rd, rn.
func (a *Asm) DataProc1(op DP1, x bool, rd, rn Reg) {
	o := uint32(op)
	if op == REV && x {
		o = 0x03 << 10
	}
	a.Emit(sf(x) | o | 0x5AC00000 | rn.enc()<<5 | rd.enc())
}

// Madd emits rd = ra + rn*rm; Msub emits rd = ra - rn*rm.
func (a *Asm) Madd(x bool, rd, rn, rm, ra Reg) {
	a.Emit(sf(x) | 0x1B000000 | rm.enc()<<16 | ra.enc()<<10 | rn.enc()<<5 | rd.enc())
}

// Msub emits rd = ra - rn*rm.
func (a *Asm) Msub(x bool, rd, rn, rm, ra Reg) {
	a.Emit(sf(x) | 0x1B008000 | rm.enc()<<16 | ra.enc()<<10 | rn.enc()<<5 | rd.enc())
}

// Mul emits rd = rn*rm.
func (a *Asm) Mul(x bool, rd, rn, rm Reg) { a.Madd(x, rd, rn, rm, ZR) }

// Umulh emits the high 64 bits of the unsigned 128-bit product.
func (a *Asm) Umulh(rd, rn, rm Reg) {
	a.Emit(0x9BC07C00 | rm.enc()<<16 | rn.enc()<<5 | rd.enc())
}

// Ccmp emits CCMP rn, rm, #nzcv, cond: if c holds, flags = compare(rn,
// rm), else flags = nzcv.
func (a *Asm) Ccmp(x bool, rn, rm Reg, nzcv uint32, c Cond) {
	a.Emit(sf(x) | 0x7A400000 | rm.enc()<<16 | uint32(c)<<12 | rn.enc()<<5 | nzcv)
}

// --- Loads and stores ---

// Size is an access size in bytes: 1, 2, 4, 8 or 16.
type Size uint8

func (s Size) log2() uint32 {
	switch s {
	case 1:
		return 0
	case 2:
		return 1
	case 4:
		return 2
	case 8:
		return 3
	case 16:
		return 4
	}
	panic(fmt.Sprintf("arm64: access size %d", s))
}

// LoadKind is what a load does with the bytes it reads.
type LoadKind uint8

// Load kinds for general registers.
const (
	Store    LoadKind = iota // STR/STRB/STRH
	LoadZX                   // LDR/LDRB/LDRH: zero-extend (to 64 bits)
	LoadSX64                 // LDRSB/LDRSH/LDRSW: sign-extend to 64 bits
	LoadSX32                 // LDRSB/LDRSH: sign-extend to 32 bits
)

// sizeOpc gives the size, V and opc fields of a load/store of rt.
func sizeOpc(k LoadKind, size Size, rt Reg) (szf, v, opc uint32) {
	if rt.IsV() {
		// B/H/S/D use size=log2, opc 0/1; Q uses size 0, opc 2/3.
		opc = 0
		if k != Store {
			opc = 1
		}
		if size == 16 {
			return 0, 1, opc | 2
		}
		return size.log2(), 1, opc
	}
	switch k {
	case Store:
		opc = 0
	case LoadZX:
		opc = 1
	case LoadSX64:
		opc = 2
	case LoadSX32:
		opc = 3
	}
	return size.log2(), 0, opc
}

// Mem is an addressing mode: [Base, #Off] or [Base, Index, ext #shift].
type Mem struct {
	Base  Reg
	Index Reg // ZR when absent
	Ext   ExtendKind
	Scale bool // index shifted by the access size
	Off   int64
}

// M is [base, #off].
func M(base Reg, off int64) Mem { return Mem{Base: base, Index: ZR, Off: off} }

// MX is [base, index, ext] with an optional shift by the access size.
func MX(base, index Reg, ext ExtendKind, scale bool) Mem {
	return Mem{Base: base, Index: index, Ext: ext, Scale: scale}
}

// Encodable reports whether m can address an access of size bytes in
// one instruction.
func (m Mem) Encodable(size Size) bool {
	if m.Index != ZR {
		return m.Off == 0
	}
	if m.Off >= 0 && m.Off%int64(size) == 0 && m.Off/int64(size) < 1<<12 {
		return true
	}
	return fits(m.Off, 9)
}

// LoadStore emits a load or store of size bytes between rt and m: the
// scaled unsigned-offset form when it fits, else the unscaled signed
// 9-bit form, or the register-offset form. It panics if m does not fit
// (Encodable).
func (a *Asm) LoadStore(k LoadKind, size Size, rt Reg, m Mem) {
	szf, v, opc := sizeOpc(k, size, rt)
	head := szf<<30 | v<<26 | opc<<22 | m.Base.enc()<<5 | rt.enc()
	switch {
	case m.Index != ZR:
		if m.Off != 0 {
			panic("arm64: register offset with a displacement")
		}
		a.Emit(head | 0x38200800 | m.Index.enc()<<16 | uint32(m.Ext)<<13 | b2u(m.Scale)<<12)
	case m.Off >= 0 && m.Off%int64(size) == 0 && m.Off/int64(size) < 1<<12:
		a.Emit(head | 0x39000000 | uint32(m.Off/int64(size))<<10)
	case fits(m.Off, 9):
		a.Emit(head | 0x38000000 | (uint32(m.Off)&0x1ff)<<12)
	default:
		panic(fmt.Sprintf("arm64: offset %d does not fit a %d-byte access", m.Off, size))
	}
}

// LoadStoreIndex emits a pre- or post-indexed access: the base is updated
// by off (signed 9 bits) before (pre) or after the access.
func (a *Asm) LoadStoreIndex(k LoadKind, size Size, rt, base Reg, off int32, pre bool) {
	if !fits(int64(off), 9) {
		panic("arm64: index offset out of range")
	}
	szf, v, opc := sizeOpc(k, size, rt)
	mode := uint32(1) << 10
	if pre {
		mode = 3 << 10
	}
	a.Emit(szf<<30 | v<<26 | opc<<22 | 0x38000000 | (uint32(off)&0x1ff)<<12 | mode | base.enc()<<5 | rt.enc())
}

// PairMode is the addressing mode of LDP/STP.
type PairMode uint32

// Pair addressing modes.
const (
	PairPost   PairMode = 1 << 23
	PairOffset PairMode = 2 << 23
	PairPre    PairMode = 3 << 23
)

// Pair emits LDP/STP rt1, rt2, [base, #off] in the given mode. Both
// registers are general (64-bit) or both SIMD&FP of the given size
// (8 or 16).
func (a *Asm) Pair(load bool, size Size, rt1, rt2, base Reg, off int32, mode PairMode) {
	var opc, v uint32
	switch {
	case rt1.IsV() && size == 8:
		opc, v = 1, 1
	case rt1.IsV() && size == 16:
		opc, v = 2, 1
	case !rt1.IsV() && size == 8:
		opc = 2
	case !rt1.IsV() && size == 4:
		opc = 0
	default:
		panic("arm64: pair size")
	}
	if off%int32(size) != 0 || !fits(int64(off/int32(size)), 7) {
		panic("arm64: pair offset out of range")
	}
	imm7 := uint32(off/int32(size)) & 0x7f
	a.Emit(opc<<30 | v<<26 | 0x28000000 | uint32(mode) | b2u(load)<<22 | imm7<<15 | rt2.enc()<<10 | base.enc()<<5 | rt1.enc())
}

// LoadLiteralQ emits LDR qt, label-relative literal (±1 MiB); the offset
// is filled in when the literal pool is placed (branch.go).
func (a *Asm) loadLiteral(rt Reg, size Size, off int32) uint32 {
	var opc uint32
	switch size {
	case 4:
		opc = 0
	case 8:
		opc = 1
	case 16:
		opc = 2
	}
	return opc<<30 | 0x1C000000 | (uint32(off>>2)&0x7ffff)<<5 | rt.enc()
}

// --- Branches to registers, system ---

// Br jumps to the address in rn.
func (a *Asm) Br(rn Reg) { a.Emit(0xD61F0000 | rn.enc()<<5) }

// Blr calls the address in rn.
func (a *Asm) Blr(rn Reg) { a.Emit(0xD63F0000 | rn.enc()<<5) }

// Ret returns through LR.
func (a *Asm) Ret() { a.Emit(0xD65F0000 | LR.enc()<<5) }

// Brk emits BRK #imm (a breakpoint; never reached by correct code).
func (a *Asm) Brk(imm uint16) { a.Emit(0xD4200000 | uint32(imm)<<5) }

// Nop emits a NOP.
func (a *Asm) Nop() { a.Emit(0xD503201F) }

// --- Scalar floating point ---

// ftype is the type field: 0 single, 1 double.
func ftype(double bool) uint32 { return b2u(double) << 22 }

// FP2 is a two-source scalar FP operation (opcode in place).
type FP2 uint32

// Two-source FP operations.
const (
	FMUL   FP2 = 0x0 << 12
	FDIV   FP2 = 0x1 << 12
	FADD   FP2 = 0x2 << 12
	FSUB   FP2 = 0x3 << 12
	FMAX   FP2 = 0x4 << 12
	FMIN   FP2 = 0x5 << 12
	FMAXNM FP2 = 0x6 << 12
	FMINNM FP2 = 0x7 << 12
)

// FPOp2 emits op rd, rn, rm on single (double=false) or double values.
func (a *Asm) FPOp2(op FP2, double bool, rd, rn, rm Reg) {
	a.Emit(0x1E200800 | ftype(double) | uint32(op) | rm.enc()<<16 | rn.enc()<<5 | rd.enc())
}

// FP1 is a one-source scalar FP operation (opcode in place).
type FP1 uint32

// One-source FP operations. FCVT converts to the other precision.
const (
	FMOV   FP1 = 0x00 << 15
	FABS   FP1 = 0x01 << 15
	FNEG   FP1 = 0x02 << 15
	FSQRT  FP1 = 0x03 << 15
	FCVT   FP1 = 0x04 << 15 // to single; the encoder picks to-double for single sources
	FRINTN FP1 = 0x08 << 15
	FRINTP FP1 = 0x09 << 15
	FRINTM FP1 = 0x0a << 15
	FRINTZ FP1 = 0x0b << 15
)

// FPOp1 emits op rd, rn. For FCVT, double is the source precision.
func (a *Asm) FPOp1(op FP1, double bool, rd, rn Reg) {
	o := uint32(op)
	if op == FCVT && !double {
		o = 0x05 << 15
	}
	a.Emit(0x1E204000 | ftype(double) | o | rn.enc()<<5 | rd.enc())
}

// Fcmp compares rn with rm (or with +0.0 when rm is ZR).
func (a *Asm) Fcmp(double bool, rn, rm Reg) {
	if rm == ZR {
		a.Emit(0x1E202008 | ftype(double) | rn.enc()<<5)
		return
	}
	a.Emit(0x1E202000 | ftype(double) | rm.enc()<<16 | rn.enc()<<5)
}

// Fcsel emits rd = c ? rn : rm.
func (a *Asm) Fcsel(double bool, rd, rn, rm Reg, c Cond) {
	a.Emit(0x1E200C00 | ftype(double) | rm.enc()<<16 | uint32(c)<<12 | rn.enc()<<5 | rd.enc())
}

// FPInt is a conversion between FP and general registers (rmode and
// opcode in place).
type FPInt uint32

// FP/integer conversions.
const (
	FCVTZS   FPInt = 3<<19 | 0<<16
	FCVTZU   FPInt = 3<<19 | 1<<16
	SCVTF    FPInt = 0<<19 | 2<<16
	UCVTF    FPInt = 0<<19 | 3<<16
	FMOVtoGP FPInt = 0<<19 | 6<<16 // bits of an FP register to a general one
	FMOVtoFP FPInt = 0<<19 | 7<<16 // bits of a general register to an FP one
)

// FPConvert emits op between a general register of 32/64 bits (x) and an
// FP register of single/double precision. For FCVTZ*/FMOVtoGP rd is
// general and rn FP; for *CVTF/FMOVtoFP the other way round. FMOV needs
// x == double.
func (a *Asm) FPConvert(op FPInt, x, double bool, rd, rn Reg) {
	a.Emit(sf(x) | 0x1E200000 | ftype(double) | uint32(op) | rn.enc()<<5 | rd.enc())
}

// --- Advanced SIMD (the forms the scalar code needs) ---

// Cnt8B counts the set bits of each byte of the low 64 bits of rn
// (CNT vd.8b, vn.8b).
func (a *Asm) Cnt8B(rd, rn Reg) { a.Emit(0x0E205800 | rn.enc()<<5 | rd.enc()) }

// Addv8B sums the eight bytes of rn into the byte rd (ADDV bd, vn.8b),
// zeroing the rest of rd.
func (a *Asm) Addv8B(rd, rn Reg) { a.Emit(0x0E31B800 | rn.enc()<<5 | rd.enc()) }

// MovV copies all 128 bits of rn to rd (ORR vd.16b, vn.16b, vn.16b).
func (a *Asm) MovV(rd, rn Reg) { a.Emit(0x4EA01C00 | rn.enc()<<16 | rn.enc()<<5 | rd.enc()) }
