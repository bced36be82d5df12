package amd64

// Packed SSE forms for WebAssembly SIMD, on the x86-64-v2 baseline
// (SSE2, SSSE3, SSE4.1, SSE4.2). Each is op xmm, xmm/m128 unless noted.

func p66(op ...byte) SSE { return sse(0x66, op...) }
func p0(op ...byte) SSE  { return sse(0, op...) }

// Packed integer operations.
var (
	PADDB   = p66(0xfc)
	PADDW   = p66(0xfd)
	PADDD   = p66(0xfe)
	PADDQ   = p66(0xd4)
	PSUBB   = p66(0xf8)
	PSUBW   = p66(0xf9)
	PSUBD   = p66(0xfa)
	PSUBQ   = p66(0xfb)
	PADDSB  = p66(0xec)
	PADDSW  = p66(0xed)
	PADDUSB = p66(0xdc)
	PADDUSW = p66(0xdd)
	PSUBSB  = p66(0xe8)
	PSUBSW  = p66(0xe9)
	PSUBUSB = p66(0xd8)
	PSUBUSW = p66(0xd9)
	PMULLW  = p66(0xd5)
	PMULLD  = p66(0x38, 0x40)
	PMULDQ  = p66(0x38, 0x28)
	PMULUDQ = p66(0xf4)
	PMADDWD = p66(0xf5)
	// PMADDUBSW multiplies unsigned bytes of the destination by signed
	// bytes of the source and adds pairs with signed saturation.
	PMADDUBSW = p66(0x38, 0x04)
	PMULHRSW  = p66(0x38, 0x0b)
	PAVGB     = p66(0xe0)
	PAVGW     = p66(0xe3)
	PMINSB    = p66(0x38, 0x38)
	PMINSW    = p66(0xea)
	PMINSD    = p66(0x38, 0x39)
	PMINUB    = p66(0xda)
	PMINUW    = p66(0x38, 0x3a)
	PMINUD    = p66(0x38, 0x3b)
	PMAXSB    = p66(0x38, 0x3c)
	PMAXSW    = p66(0xee)
	PMAXSD    = p66(0x38, 0x3d)
	PMAXUB    = p66(0xde)
	PMAXUW    = p66(0x38, 0x3e)
	PMAXUD    = p66(0x38, 0x3f)
	PCMPEQB   = p66(0x74)
	PCMPEQW   = p66(0x75)
	PCMPEQD   = p66(0x76)
	PCMPEQQ   = p66(0x38, 0x29)
	PCMPGTB   = p66(0x64)
	PCMPGTW   = p66(0x65)
	PCMPGTD   = p66(0x66)
	PCMPGTQ   = p66(0x38, 0x37)
	PABSB     = p66(0x38, 0x1c)
	PABSW     = p66(0x38, 0x1d)
	PABSD     = p66(0x38, 0x1e)
	PAND      = p66(0xdb)
	PANDN     = p66(0xdf) // dst = ^dst & src
	POR       = p66(0xeb)
	PXOR      = p66(0xef)
	PTEST     = p66(0x38, 0x17)
	PSHUFB    = p66(0x38, 0x00)
	PACKSSWB  = p66(0x63)
	PACKUSWB  = p66(0x67)
	PACKSSDW  = p66(0x6b)
	PACKUSDW  = p66(0x38, 0x2b)
	PUNPCKLDQ = p66(0x62)
	PUNPCKLBW = p66(0x60)
	PUNPCKHBW = p66(0x68)
	// PUNPCKLQDQ: dst = [dst.lo64, src.lo64].
	PUNPCKLQDQ = p66(0x6c)
	PMOVSXBW   = p66(0x38, 0x20)
	PMOVSXWD   = p66(0x38, 0x23)
	PMOVSXDQ   = p66(0x38, 0x25)
	PMOVZXBW   = p66(0x38, 0x30)
	PMOVZXWD   = p66(0x38, 0x33)
	PMOVZXDQ   = p66(0x38, 0x35)
	// Shifts by the count in the low 64 bits of an xmm register.
	PSLLWx = p66(0xf1)
	PSLLDx = p66(0xf2)
	PSLLQx = p66(0xf3)
	PSRLWx = p66(0xd1)
	PSRLDx = p66(0xd2)
	PSRLQx = p66(0xd3)
	PSRAWx = p66(0xe1)
	PSRADx = p66(0xe2)
	// Register-to-GPR mask extraction: reg field is the GPR.
	PMOVMSKB = p66(0xd7)
	MOVMSKPS = p0(0x50)
	MOVMSKPD = p66(0x50)
)

// Packed float operations.
var (
	ADDPS    = p0(0x58)
	ADDPD    = p66(0x58)
	SUBPS    = p0(0x5c)
	SUBPD    = p66(0x5c)
	MULPS    = p0(0x59)
	MULPD    = p66(0x59)
	DIVPS    = p0(0x5e)
	DIVPD    = p66(0x5e)
	SQRTPS   = p0(0x51)
	SQRTPD   = p66(0x51)
	MINPS    = p0(0x5d)
	MINPD    = p66(0x5d)
	MAXPS    = p0(0x5f)
	MAXPD    = p66(0x5f)
	CVTDQ2PS = p0(0x5b)
	CVTDQ2PD = sse(0xf3, 0xe6)
	CVTPD2PS = p66(0x5a)
	CVTPS2PD = p0(0x5a)
	// MOVSDrr merges the low 64 bits of the source into the destination.
	MOVSDrr = sse(0xf2, 0x10)
	// UNPCKLPD: dst = [dst.lo64, src.lo64] (float domain).
	UNPCKLPD = p66(0x14)
)

// Forms with an imm8 (SSERRI/SSERMI).
var (
	PSHUFD   = p66(0x70)
	PSHUFLW  = sse(0xf2, 0x70)
	SHUFPS   = p0(0xc6)
	CMPPS    = p0(0xc2)
	CMPPD    = p66(0xc2)
	ROUNDPS  = p66(0x3a, 0x08)
	ROUNDPD  = p66(0x3a, 0x09)
	INSERTPS = p66(0x3a, 0x21)
	// PINSR*: reg field xmm, r/m a GPR or memory.
	PINSRB = p66(0x3a, 0x20)
	PINSRW = p66(0xc4)
	PINSRD = p66(0x3a, 0x22)
	PINSRQ = SSE{Prefix: 0x66, Op: []byte{0x0f, 0x3a, 0x22}, W: true}
	// PEXTR*: reg field xmm, r/m the GPR or memory destination, except
	// PEXTRWr (reg field the GPR, r/m the xmm).
	PEXTRB  = p66(0x3a, 0x14)
	PEXTRWm = p66(0x3a, 0x15)
	PEXTRWr = p66(0xc5)
	PEXTRD  = p66(0x3a, 0x16)
	PEXTRQ  = SSE{Prefix: 0x66, Op: []byte{0x0f, 0x3a, 0x16}, W: true}
)

// Float comparison predicates of CMPPS/CMPPD.
const (
	CmpEq    byte = 0
	CmpLt    byte = 1
	CmpLe    byte = 2
	CmpUnord byte = 3
	CmpNeq   byte = 4 // true when unordered
)

// SSELoadRIP is op dst, [rip+rel32] (a load from the function's constant
// pool); it returns the offset of the rel32 for PatchRel32.
func (a *Asm) SSELoadRIP(op SSE, dst Reg) int {
	if op.Prefix != 0 {
		a.byte1(op.Prefix)
	}
	a.rex(op.W, dst, NoReg, NoReg, false)
	a.byte1(op.Op...)
	a.byte1(0x05 | dst.low()<<3)
	at := a.Len()
	a.imm32(0)
	return at
}
