package amd64

import "fmt"

// This file is the x86-64 encoder: one method per instruction form the code
// generator uses, appending the machine code to an Asm. Every form is
// checked by decoding it back with golang.org/x/arch/x86/x86asm and against
// llvm-mc's encoding (encode_test.go).

// Reg is a machine register: general-purpose registers 0–15 in hardware
// numbering (RAX=0 … R15=15), then XMM0–XMM15 as 16–31.
type Reg uint8

// General-purpose registers.
const (
	RAX Reg = iota
	RCX
	RDX
	RBX
	RSP
	RBP
	RSI
	RDI
	R8
	R9
	R10
	R11
	R12
	R13
	R14
	R15
)

// XMM0 is the first vector register; XMM0+i is XMMi.
const XMM0 Reg = 16

// NoReg marks an absent index register in a Mem.
const NoReg Reg = 0xff

// IsXMM reports whether r is a vector register.
func (r Reg) IsXMM() bool { return r >= XMM0 && r < XMM0+16 }

func (r Reg) low() byte { return byte(r) & 7 }
func (r Reg) ext() bool { return byte(r)&8 != 0 }

var gprNames = [16]string{"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"}

func (r Reg) String() string {
	switch {
	case r < 16:
		return gprNames[r]
	case r.IsXMM():
		return fmt.Sprintf("xmm%d", r-XMM0)
	}
	return fmt.Sprintf("reg%d", r)
}

// Mem is a memory operand [Base + Index*Scale + Disp]. Index is NoReg when
// absent; Scale is 1, 2, 4 or 8.
type Mem struct {
	Base  Reg
	Index Reg
	Scale uint8
	Disp  int32
}

// M returns [base+disp].
func M(base Reg, disp int32) Mem { return Mem{Base: base, Index: NoReg, Scale: 1, Disp: disp} }

// MI returns [base+index*scale+disp].
func MI(base, index Reg, scale uint8, disp int32) Mem {
	return Mem{Base: base, Index: index, Scale: scale, Disp: disp}
}

// Cond is an x86 condition code (the low nibble of Jcc/SETcc/CMOVcc).
type Cond uint8

// Condition codes.
const (
	CondO  Cond = 0x0
	CondNO Cond = 0x1
	CondB  Cond = 0x2 // unsigned <
	CondAE Cond = 0x3 // unsigned >=
	CondE  Cond = 0x4
	CondNE Cond = 0x5
	CondBE Cond = 0x6 // unsigned <=
	CondA  Cond = 0x7 // unsigned >
	CondS  Cond = 0x8
	CondNS Cond = 0x9
	CondP  Cond = 0xa // parity: unordered after UCOMIS*
	CondNP Cond = 0xb
	CondL  Cond = 0xc // signed <
	CondGE Cond = 0xd
	CondLE Cond = 0xe
	CondG  Cond = 0xf
)

// Invert returns the opposite condition.
func (c Cond) Invert() Cond { return c ^ 1 }

// Mirror returns the condition of the comparison with its operands
// swapped (a < b is b > a).
func (c Cond) Mirror() Cond {
	switch c {
	case CondL, CondG:
		return c ^ CondL ^ CondG
	case CondLE, CondGE:
		return c ^ CondLE ^ CondGE
	case CondB, CondA:
		return c ^ CondB ^ CondA
	case CondBE, CondAE:
		return c ^ CondBE ^ CondAE
	}
	return c
}

// Size is an operand width in bytes: 1, 2, 4 or 8.
type Size uint8

// Asm accumulates machine code.
type Asm struct {
	Code []byte
}

func (a *Asm) byte1(b ...byte) { a.Code = append(a.Code, b...) }

func (a *Asm) imm32(v int32) {
	a.Code = append(a.Code, byte(v), byte(v>>8), byte(v>>16), byte(v>>24))
}

func (a *Asm) imm16(v int16) { a.Code = append(a.Code, byte(v), byte(v>>8)) }

func (a *Asm) imm64(v uint64) {
	for i := 0; i < 8; i++ {
		a.Code = append(a.Code, byte(v>>(8*i)))
	}
}

// Len is the current offset in the code.
func (a *Asm) Len() int { return len(a.Code) }

// rex emits a REX prefix if any bit is set or force is true (force: byte
// access to SPL/BPL/SIL/DIL).
func (a *Asm) rex(w bool, reg, index, base Reg, force bool) {
	var b byte = 0x40
	if w {
		b |= 8
	}
	if reg != NoReg && reg.ext() {
		b |= 4
	}
	if index != NoReg && index.ext() {
		b |= 2
	}
	if base != NoReg && base.ext() {
		b |= 1
	}
	if b != 0x40 || force {
		a.byte1(b)
	}
}

// operand is the r/m side of an instruction: a register or memory.
type operand struct {
	isMem bool
	reg   Reg
	mem   Mem
}

func rr(r Reg) operand { return operand{reg: r} }
func rm(m Mem) operand { return operand{isMem: true, mem: m} }
func (o operand) index() Reg {
	if o.isMem {
		return o.mem.Index
	}
	return NoReg
}
func (o operand) base() Reg {
	if o.isMem {
		return o.mem.Base
	}
	return o.reg
}

// modrm emits ModRM (+SIB, displacement) for reg field r (a register
// number or opcode extension 0–7) and r/m operand o.
func (a *Asm) modrm(r byte, o operand) {
	r &= 7
	if !o.isMem {
		a.byte1(0xc0 | r<<3 | o.reg.low())
		return
	}
	m := o.mem
	var mod byte
	switch {
	case m.Disp == 0 && m.Base.low() != 5: // [rbp]/[r13] need a displacement
		mod = 0
	case m.Disp >= -128 && m.Disp <= 127:
		mod = 1
	default:
		mod = 2
	}
	if m.Index == NoReg && m.Base.low() != 4 {
		a.byte1(mod<<6 | r<<3 | m.Base.low())
	} else {
		idx := byte(4) // none
		if m.Index != NoReg {
			if m.Index == RSP {
				panic("amd64: rsp cannot be an index")
			}
			idx = m.Index.low()
		}
		var ss byte
		switch m.Scale {
		case 0, 1:
		case 2:
			ss = 1
		case 4:
			ss = 2
		case 8:
			ss = 3
		default:
			panic("amd64: bad scale")
		}
		a.byte1(mod<<6|r<<3|4, ss<<6|idx<<3|m.Base.low())
	}
	switch mod {
	case 1:
		a.byte1(byte(int8(m.Disp)))
	case 2:
		a.imm32(m.Disp)
	}
}

// inst emits [prefix] [REX] opcode ModRM for a general instruction: prefix
// 0 means none; w selects REX.W; byteReg forces a REX for byte registers
// 4–7 so that they mean SPL..DIL, not AH..BH.
func (a *Asm) inst(prefix byte, w bool, opcode []byte, reg Reg, o operand, byteReg bool) {
	if prefix != 0 {
		a.byte1(prefix)
	}
	force := byteReg && ((reg != NoReg && reg < 16 && reg >= 4 && reg < 8) || (!o.isMem && o.reg >= 4 && o.reg < 8))
	a.rex(w, reg, o.index(), o.base(), force)
	a.byte1(opcode...)
	a.modrm(byte(reg), o)
}

// ext emits an instruction whose ModRM reg field is the opcode extension
// /digit.
func (a *Asm) ext(prefix byte, w bool, opcode []byte, digit byte, o operand) {
	if prefix != 0 {
		a.byte1(prefix)
	}
	a.rex(w, NoReg, o.index(), o.base(), false)
	a.byte1(opcode...)
	a.modrm(digit, o)
}

// ALU is a two-operand integer operation of the 00–3F group.
type ALU uint8

// ALU operations (the /digit of 81/83 and the row of 01/03).
const (
	ADD ALU = 0
	OR  ALU = 1
	AND ALU = 4
	SUB ALU = 5
	XOR ALU = 6
	CMP ALU = 7
)

// ALURR is op dst, src (32- or 64-bit).
func (a *Asm) ALURR(op ALU, w bool, dst, src Reg) {
	a.inst(0, w, []byte{byte(op)<<3 | 1}, src, rr(dst), false)
}

// ALURM is op dst, [m].
func (a *Asm) ALURM(op ALU, w bool, dst Reg, m Mem) {
	a.inst(0, w, []byte{byte(op)<<3 | 3}, dst, rm(m), false)
}

// ALUMR is op [m], src.
func (a *Asm) ALUMR(op ALU, w bool, m Mem, src Reg) {
	a.inst(0, w, []byte{byte(op)<<3 | 1}, src, rm(m), false)
}

// ALURI is op dst, imm (sign-extended imm8 form when it fits).
func (a *Asm) ALURI(op ALU, w bool, dst Reg, imm int32) { a.aluI(op, w, rr(dst), imm) }

// ALUMI is op [m], imm.
func (a *Asm) ALUMI(op ALU, w bool, m Mem, imm int32) { a.aluI(op, w, rm(m), imm) }

func (a *Asm) aluI(op ALU, w bool, o operand, imm int32) {
	if imm >= -128 && imm <= 127 {
		a.ext(0, w, []byte{0x83}, byte(op), o)
		a.byte1(byte(int8(imm)))
		return
	}
	if !o.isMem && o.reg == RAX { // the accumulator's short form
		if w {
			a.byte1(0x48)
		}
		a.byte1(byte(op)<<3 | 5)
	} else {
		a.ext(0, w, []byte{0x81}, byte(op), o)
	}
	a.imm32(imm)
}

// TestRR is test a, b.
func (a *Asm) TestRR(w bool, x, y Reg) { a.inst(0, w, []byte{0x85}, y, rr(x), false) }

// MovRR is mov dst, src (32-bit zero-extends).
func (a *Asm) MovRR(w bool, dst, src Reg) { a.inst(0, w, []byte{0x89}, src, rr(dst), false) }

// MovRI32 is mov r32, imm32 (zero-extending into the 64-bit register).
func (a *Asm) MovRI32(dst Reg, imm uint32) {
	a.rex(false, NoReg, NoReg, dst, false)
	a.byte1(0xb8 + dst.low())
	a.imm32(int32(imm))
}

// MovRI64 is movabs r64, imm64.
func (a *Asm) MovRI64(dst Reg, imm uint64) {
	a.rex(true, NoReg, NoReg, dst, false)
	a.byte1(0xb8 + dst.low())
	a.imm64(imm)
}

// MovRIS is mov r64, simm32 (sign-extended).
func (a *Asm) MovRIS(dst Reg, imm int32) {
	a.ext(0, true, []byte{0xc7}, 0, rr(dst))
	a.imm32(imm)
}

// MovImm loads a 64-bit constant into dst with the shortest form (a 32-bit
// mov zero-extends).
func (a *Asm) MovImm(dst Reg, v uint64) {
	switch {
	case v == 0:
		a.ALURR(XOR, false, dst, dst)
	case v <= 0xffffffff:
		a.MovRI32(dst, uint32(v))
	case int64(v) >= -1<<31 && int64(v) < 1<<31:
		a.MovRIS(dst, int32(v))
	default:
		a.MovRI64(dst, v)
	}
}

// Load is a zero-extending load of size bytes into dst (8: 64-bit mov).
func (a *Asm) Load(size Size, dst Reg, m Mem) {
	switch size {
	case 1:
		a.inst(0, false, []byte{0x0f, 0xb6}, dst, rm(m), false)
	case 2:
		a.inst(0, false, []byte{0x0f, 0xb7}, dst, rm(m), false)
	case 4:
		a.inst(0, false, []byte{0x8b}, dst, rm(m), false)
	case 8:
		a.inst(0, true, []byte{0x8b}, dst, rm(m), false)
	default:
		panic("amd64: bad load size")
	}
}

// LoadSX is a sign-extending load of size bytes (1, 2, 4) into a 32-bit
// (w false) or 64-bit destination.
func (a *Asm) LoadSX(size Size, w bool, dst Reg, m Mem) {
	switch size {
	case 1:
		a.inst(0, w, []byte{0x0f, 0xbe}, dst, rm(m), false)
	case 2:
		a.inst(0, w, []byte{0x0f, 0xbf}, dst, rm(m), false)
	case 4:
		a.inst(0, true, []byte{0x63}, dst, rm(m), false)
	default:
		panic("amd64: bad load size")
	}
}

// Store writes the low size bytes of src to m.
func (a *Asm) Store(size Size, m Mem, src Reg) {
	switch size {
	case 1:
		a.inst(0, false, []byte{0x88}, src, rm(m), true)
	case 2:
		a.inst(0x66, false, []byte{0x89}, src, rm(m), false)
	case 4:
		a.inst(0, false, []byte{0x89}, src, rm(m), false)
	case 8:
		a.inst(0, true, []byte{0x89}, src, rm(m), false)
	default:
		panic("amd64: bad store size")
	}
}

// StoreImm32 is mov dword/qword [m], simm32.
func (a *Asm) StoreImm32(w bool, m Mem, imm int32) {
	a.ext(0, w, []byte{0xc7}, 0, rm(m))
	a.imm32(imm)
}

// StoreImm writes the low size bytes of imm (sign-extended to 8 bytes
// for size 8) to m.
func (a *Asm) StoreImm(size Size, m Mem, imm int32) {
	switch size {
	case 1:
		a.ext(0, false, []byte{0xc6}, 0, rm(m))
		a.byte1(byte(imm))
	case 2:
		a.ext(0x66, false, []byte{0xc7}, 0, rm(m))
		a.byte1(byte(imm), byte(imm>>8))
	case 4, 8:
		a.StoreImm32(size == 8, m, imm)
	default:
		panic("amd64: bad store size")
	}
}

// Extend is a register-to-register extension of the low size bytes of src
// (1, 2, 4) into a 32-bit (w false) or 64-bit dst; signed selects movsx.
func (a *Asm) Extend(size Size, signed, w bool, dst, src Reg) {
	switch {
	case size == 4 && signed:
		a.inst(0, true, []byte{0x63}, dst, rr(src), false)
	case size == 4:
		a.MovRR(false, dst, src)
	case size == 1 && signed:
		a.inst(0, w, []byte{0x0f, 0xbe}, dst, rr(src), true)
	case size == 1:
		a.inst(0, false, []byte{0x0f, 0xb6}, dst, rr(src), true)
	case size == 2 && signed:
		a.inst(0, w, []byte{0x0f, 0xbf}, dst, rr(src), false)
	case size == 2:
		a.inst(0, false, []byte{0x0f, 0xb7}, dst, rr(src), false)
	default:
		panic("amd64: bad extend")
	}
}

// Lea is lea dst, [m] (64-bit).
func (a *Asm) Lea(dst Reg, m Mem) { a.LeaW(true, dst, m) }

// LeaW is lea of operand size w: a 32-bit lea keeps the low half of the
// 64-bit address computation, zero-extended.
func (a *Asm) LeaW(w bool, dst Reg, m Mem) { a.inst(0, w, []byte{0x8d}, dst, rm(m), false) }

// ImulRR is imul dst, src.
func (a *Asm) ImulRR(w bool, dst, src Reg) { a.inst(0, w, []byte{0x0f, 0xaf}, dst, rr(src), false) }

// ImulRRI is imul dst, src, imm (the imm8 form when imm fits).
func (a *Asm) ImulRRI(w bool, dst, src Reg, imm int32) {
	if imm >= -128 && imm <= 127 {
		a.inst(0, w, []byte{0x6b}, dst, rr(src), false)
		a.byte1(byte(int8(imm)))
		return
	}
	a.inst(0, w, []byte{0x69}, dst, rr(src), false)
	a.imm32(imm)
}

// Unary is an F7 /digit operation on one operand.
type Unary uint8

// F7-group operations.
const (
	NOT  Unary = 2
	NEG  Unary = 3
	MUL  Unary = 4 // rdx:rax = rax * r, unsigned
	DIV  Unary = 6 // unsigned rdx:rax / r
	IDIV Unary = 7 // signed
)

// UnaryR is op r (not, neg, mul, div, idiv).
func (a *Asm) UnaryR(op Unary, w bool, r Reg) { a.ext(0, w, []byte{0xf7}, byte(op), rr(r)) }

// SignExtendAX is cdq (w false) or cqo: rdx:rax = sign-extended rax.
func (a *Asm) SignExtendAX(w bool) {
	if w {
		a.byte1(0x48)
	}
	a.byte1(0x99)
}

// Shift is a D3/C1 /digit operation.
type Shift uint8

// Shift and rotate operations.
const (
	ROL Shift = 0
	ROR Shift = 1
	SHL Shift = 4
	SHR Shift = 5
	SAR Shift = 7
)

// ShiftCL is op r, cl.
func (a *Asm) ShiftCL(op Shift, w bool, r Reg) { a.ext(0, w, []byte{0xd3}, byte(op), rr(r)) }

// ShiftI is op r, imm8 (the one-byte-shorter D1 form for a count of 1).
func (a *Asm) ShiftI(op Shift, w bool, r Reg, n uint8) {
	if n == 1 {
		a.ext(0, w, []byte{0xd1}, byte(op), rr(r))
		return
	}
	a.ext(0, w, []byte{0xc1}, byte(op), rr(r))
	a.byte1(n)
}

// Bsr is bsr dst, src (index of the highest set bit; ZF when src is 0).
func (a *Asm) Bsr(w bool, dst, src Reg) { a.inst(0, w, []byte{0x0f, 0xbd}, dst, rr(src), false) }

// Bsf is bsf dst, src (index of the lowest set bit; ZF when src is 0).
func (a *Asm) Bsf(w bool, dst, src Reg) { a.inst(0, w, []byte{0x0f, 0xbc}, dst, rr(src), false) }

// Popcnt is popcnt dst, src.
func (a *Asm) Popcnt(w bool, dst, src Reg) {
	a.inst(0xf3, w, []byte{0x0f, 0xb8}, dst, rr(src), false)
}

// Setcc is setcc r8.
func (a *Asm) Setcc(c Cond, r Reg) {
	a.rex(false, NoReg, NoReg, r, r >= 4 && r < 8)
	a.byte1(0x0f, 0x90|byte(c))
	a.modrm(0, rr(r))
}

// Cmov is cmovcc dst, src.
func (a *Asm) Cmov(c Cond, w bool, dst, src Reg) {
	a.inst(0, w, []byte{0x0f, 0x40 | byte(c)}, dst, rr(src), false)
}

// Push is push r64.
func (a *Asm) Push(r Reg) {
	a.rex(false, NoReg, NoReg, r, false)
	a.byte1(0x50 + r.low())
}

// Pop is pop r64.
func (a *Asm) Pop(r Reg) {
	a.rex(false, NoReg, NoReg, r, false)
	a.byte1(0x58 + r.low())
}

// Ret is ret.
func (a *Asm) Ret() { a.byte1(0xc3) }

// Ud2 is ud2 (never executed: marks code after a call that does not return).
func (a *Asm) Ud2() { a.byte1(0x0f, 0x0b) }

// CallR is call r64.
func (a *Asm) CallR(r Reg) { a.ext(0, false, []byte{0xff}, 2, rr(r)) }

// CallM is call qword [m].
func (a *Asm) CallM(m Mem) { a.ext(0, false, []byte{0xff}, 2, rm(m)) }

// JmpR is jmp r64.
func (a *Asm) JmpR(r Reg) { a.ext(0, false, []byte{0xff}, 4, rr(r)) }

// Call32 is call rel32 and returns the offset of its 32-bit displacement.
func (a *Asm) Call32(rel int32) int {
	a.byte1(0xe8)
	at := a.Len()
	a.imm32(rel)
	return at
}

// Jmp32 is jmp rel32 and returns the offset of its displacement.
func (a *Asm) Jmp32(rel int32) int {
	a.byte1(0xe9)
	at := a.Len()
	a.imm32(rel)
	return at
}

// Jcc32 is jcc rel32 and returns the offset of its displacement.
func (a *Asm) Jcc32(c Cond, rel int32) int {
	a.byte1(0x0f, 0x80|byte(c))
	at := a.Len()
	a.imm32(rel)
	return at
}

// PatchRel32 sets the rel32 at offset at so that it targets target (both
// offsets in Code).
func (a *Asm) PatchRel32(at, target int) {
	rel := int32(target - (at + 4))
	a.Code[at], a.Code[at+1], a.Code[at+2], a.Code[at+3] = byte(rel), byte(rel>>8), byte(rel>>16), byte(rel>>24)
}

// LeaRIP is lea dst, [rip+rel32] and returns the offset of the
// displacement.
func (a *Asm) LeaRIP(dst Reg) int {
	a.rex(true, dst, NoReg, NoReg, false)
	a.byte1(0x8d, 0x05|dst.low()<<3)
	at := a.Len()
	a.imm32(0)
	return at
}

// SSE is a scalar or packed SSE operation: a mandatory prefix (0 for
// none) and the opcode bytes after 0F.
type SSE struct {
	Prefix byte
	Op     []byte // starting with the 0x0F escape
	W      bool   // REX.W (pinsrq, pextrq)
}

// sse describes an operation by its mandatory prefix (0: none) and the
// opcode bytes after 0x0F.
func sse(prefix byte, op ...byte) SSE { return SSE{Prefix: prefix, Op: append([]byte{0x0f}, op...)} }

// SSE operations used by the code generator (xmm, xmm/m128 forms).
var (
	ADDSS    = sse(0xf3, 0x58)
	ADDSD    = sse(0xf2, 0x58)
	MULSS    = sse(0xf3, 0x59)
	MULSD    = sse(0xf2, 0x59)
	SUBSS    = sse(0xf3, 0x5c)
	SUBSD    = sse(0xf2, 0x5c)
	DIVSS    = sse(0xf3, 0x5e)
	DIVSD    = sse(0xf2, 0x5e)
	MINSS    = sse(0xf3, 0x5d)
	MINSD    = sse(0xf2, 0x5d)
	MAXSS    = sse(0xf3, 0x5f)
	MAXSD    = sse(0xf2, 0x5f)
	SQRTSS   = sse(0xf3, 0x51)
	SQRTSD   = sse(0xf2, 0x51)
	CVTSS2SD = sse(0xf3, 0x5a)
	CVTSD2SS = sse(0xf2, 0x5a)
	UCOMISS  = sse(0, 0x2e)
	UCOMISD  = sse(0x66, 0x2e)
	ANDPS    = sse(0, 0x54)
	ANDPD    = sse(0x66, 0x54)
	ANDNPS   = sse(0, 0x55)
	ORPS     = sse(0, 0x56)
	ORPD     = sse(0x66, 0x56)
	XORPS    = sse(0, 0x57)
	XORPD    = sse(0x66, 0x57)
	MOVAPS   = sse(0, 0x28)
	// MOVSSload/MOVSDload load a scalar from memory (upper lanes zeroed).
	MOVSSload = sse(0xf3, 0x10)
	MOVSDload = sse(0xf2, 0x10)
	MOVDQU    = sse(0xf3, 0x6f)
)

// SSERR is op dst, src on vector registers.
func (a *Asm) SSERR(op SSE, dst, src Reg) {
	a.inst(op.Prefix, op.W, op.Op, dst, rr(src), false)
}

// SSERM is op dst, [m].
func (a *Asm) SSERM(op SSE, dst Reg, m Mem) {
	a.inst(op.Prefix, op.W, op.Op, dst, rm(m), false)
}

// SSERRI is op with ModRM reg field reg, r/m register rm and an imm8
// (pshufd, cmpps, roundps, pinsr*, pextr*, …; which of reg and rm is the
// destination depends on the instruction).
func (a *Asm) SSERRI(op SSE, reg, rmReg Reg, imm byte) {
	a.SSERR(op, reg, rmReg)
	a.byte1(imm)
}

// SSERMI is SSERRI with a memory operand.
func (a *Asm) SSERMI(op SSE, reg Reg, m Mem, imm byte) {
	a.SSERM(op, reg, m)
	a.byte1(imm)
}

// VecShift is a packed shift by an immediate: the opcode (0x71 words,
// 0x72 dwords, 0x73 qwords) and the /digit (2 logical right, 4
// arithmetic right, 6 left).
type VecShift struct{ Opcode, Digit byte }

// Packed shifts by an immediate.
var (
	PSRLW = VecShift{0x71, 2}
	PSRAW = VecShift{0x71, 4}
	PSLLW = VecShift{0x71, 6}
	PSRLD = VecShift{0x72, 2}
	PSRAD = VecShift{0x72, 4}
	PSLLD = VecShift{0x72, 6}
	PSRLQ = VecShift{0x73, 2}
	PSLLQ = VecShift{0x73, 6}
)

// VecShiftI is a packed shift of x by n bits.
func (a *Asm) VecShiftI(op VecShift, x Reg, n byte) {
	a.ext(0x66, false, []byte{0x0f, op.Opcode}, op.Digit, rr(x))
	a.byte1(n)
}

// StoreXMM writes the low size bytes (4, 8 or 16) of src to m.
func (a *Asm) StoreXMM(size Size, m Mem, src Reg) {
	switch size {
	case 4:
		a.inst(0xf3, false, []byte{0x0f, 0x11}, src, rm(m), false)
	case 8:
		a.inst(0xf2, false, []byte{0x0f, 0x11}, src, rm(m), false)
	case 16:
		a.inst(0xf3, false, []byte{0x0f, 0x7f}, src, rm(m), false)
	default:
		panic("amd64: bad xmm store size")
	}
}

// LoadXMM reads size bytes (4, 8 or 16) from m into dst.
func (a *Asm) LoadXMM(size Size, dst Reg, m Mem) {
	switch size {
	case 4:
		a.SSERM(MOVSSload, dst, m)
	case 8:
		a.SSERM(MOVSDload, dst, m)
	case 16:
		a.SSERM(MOVDQU, dst, m)
	default:
		panic("amd64: bad xmm load size")
	}
}

// MovGX is movd/movq xmm, r (w: 64-bit).
func (a *Asm) MovGX(w bool, dst, src Reg) { a.inst(0x66, w, []byte{0x0f, 0x6e}, dst, rr(src), false) }

// MovXG is movd/movq r, xmm (w: 64-bit).
func (a *Asm) MovXG(w bool, dst, src Reg) { a.inst(0x66, w, []byte{0x0f, 0x7e}, src, rr(dst), false) }

// CvtSI2F is cvtsi2ss (double false) or cvtsi2sd from a 32-bit (w false)
// or 64-bit integer register.
func (a *Asm) CvtSI2F(double, w bool, dst, src Reg) {
	p := byte(0xf3)
	if double {
		p = 0xf2
	}
	a.inst(p, w, []byte{0x0f, 0x2a}, dst, rr(src), false)
}

// CvttF2SI is cvttss2si (double false) or cvttsd2si into a 32-bit (w
// false) or 64-bit register.
func (a *Asm) CvttF2SI(double, w bool, dst, src Reg) {
	p := byte(0xf3)
	if double {
		p = 0xf2
	}
	a.inst(p, w, []byte{0x0f, 0x2c}, dst, rr(src), false)
}

// Rounding modes of ROUNDSS/ROUNDSD (with the precision exception
// suppressed).
const (
	RoundNearest byte = 0x8
	RoundFloor   byte = 0x9
	RoundCeil    byte = 0xa
	RoundTrunc   byte = 0xb
)

// Round is roundss (double false) or roundsd dst, src, mode (SSE4.1).
func (a *Asm) Round(double bool, dst, src Reg, mode byte) {
	op := byte(0x0a)
	if double {
		op = 0x0b
	}
	a.inst(0x66, false, []byte{0x0f, 0x3a, op}, dst, rr(src), false)
	a.byte1(mode)
}
