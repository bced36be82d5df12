package amd64

// sseCases covers every packed form of encode_sse.go: register forms with
// registers on both sides of the REX boundary, a memory form, and each
// imm8 and lane form.
var sseCases = func() []encodeCase {
	rr := []struct {
		name string
		op   SSE
	}{
		{"paddb", PADDB}, {"paddw", PADDW}, {"paddd", PADDD}, {"paddq", PADDQ},
		{"psubb", PSUBB}, {"psubw", PSUBW}, {"psubd", PSUBD}, {"psubq", PSUBQ},
		{"paddsb", PADDSB}, {"paddsw", PADDSW}, {"paddusb", PADDUSB}, {"paddusw", PADDUSW},
		{"psubsb", PSUBSB}, {"psubsw", PSUBSW}, {"psubusb", PSUBUSB}, {"psubusw", PSUBUSW},
		{"pmullw", PMULLW}, {"pmulld", PMULLD}, {"pmuldq", PMULDQ}, {"pmuludq", PMULUDQ},
		{"pmaddwd", PMADDWD}, {"pmaddubsw", PMADDUBSW}, {"pmulhrsw", PMULHRSW},
		{"pavgb", PAVGB}, {"pavgw", PAVGW},
		{"pminsb", PMINSB}, {"pminsw", PMINSW}, {"pminsd", PMINSD},
		{"pminub", PMINUB}, {"pminuw", PMINUW}, {"pminud", PMINUD},
		{"pmaxsb", PMAXSB}, {"pmaxsw", PMAXSW}, {"pmaxsd", PMAXSD},
		{"pmaxub", PMAXUB}, {"pmaxuw", PMAXUW}, {"pmaxud", PMAXUD},
		{"pcmpeqb", PCMPEQB}, {"pcmpeqw", PCMPEQW}, {"pcmpeqd", PCMPEQD}, {"pcmpeqq", PCMPEQQ},
		{"pcmpgtb", PCMPGTB}, {"pcmpgtw", PCMPGTW}, {"pcmpgtd", PCMPGTD}, {"pcmpgtq", PCMPGTQ},
		{"pabsb", PABSB}, {"pabsw", PABSW}, {"pabsd", PABSD},
		{"pand", PAND}, {"pandn", PANDN}, {"por", POR}, {"pxor", PXOR}, {"ptest", PTEST}, {"pshufb", PSHUFB},
		{"packsswb", PACKSSWB}, {"packuswb", PACKUSWB}, {"packssdw", PACKSSDW}, {"packusdw", PACKUSDW},
		{"punpckldq", PUNPCKLDQ}, {"punpcklqdq", PUNPCKLQDQ},
		{"pmovsxbw", PMOVSXBW}, {"pmovsxwd", PMOVSXWD}, {"pmovsxdq", PMOVSXDQ},
		{"pmovzxbw", PMOVZXBW}, {"pmovzxwd", PMOVZXWD}, {"pmovzxdq", PMOVZXDQ},
		{"psllw", PSLLWx}, {"pslld", PSLLDx}, {"psllq", PSLLQx},
		{"psrlw", PSRLWx}, {"psrld", PSRLDx}, {"psrlq", PSRLQx}, {"psraw", PSRAWx}, {"psrad", PSRADx},
		{"addps", ADDPS}, {"addpd", ADDPD}, {"subps", SUBPS}, {"subpd", SUBPD},
		{"mulps", MULPS}, {"mulpd", MULPD}, {"divps", DIVPS}, {"divpd", DIVPD},
		{"sqrtps", SQRTPS}, {"sqrtpd", SQRTPD}, {"minps", MINPS}, {"minpd", MINPD},
		{"maxps", MAXPS}, {"maxpd", MAXPD}, {"cvtdq2ps", CVTDQ2PS}, {"cvtdq2pd", CVTDQ2PD},
		{"cvtpd2ps", CVTPD2PS}, {"cvtps2pd", CVTPS2PD}, {"movsd", MOVSDrr}, {"unpcklpd", UNPCKLPD},
	}
	var cs []encodeCase
	for _, o := range rr {
		o := o
		cs = append(cs,
			encodeCase{o.name + " xmm1, xmm2", func(a *Asm) { a.SSERR(o.op, XMM0+1, XMM0+2) }},
			encodeCase{o.name + " xmm9, xmm14", func(a *Asm) { a.SSERR(o.op, XMM0+9, XMM0+14) }})
	}
	cs = append(cs, []encodeCase{
		{"paddb xmm3, xmmword ptr [rsp+0x10]", func(a *Asm) { a.SSERM(PADDB, XMM0+3, M(RSP, 16)) }},
		{"pmovsxbw xmm12, qword ptr [r14+r11*1+0x8]", func(a *Asm) { a.SSERM(PMOVSXBW, XMM0+12, MI(R14, R11, 1, 8)) }},
		{"pmovmskb eax, xmm3", func(a *Asm) { a.SSERR(PMOVMSKB, RAX, XMM0+3) }},
		{"pmovmskb r9d, xmm12", func(a *Asm) { a.SSERR(PMOVMSKB, R9, XMM0+12) }},
		{"movmskps ecx, xmm1", func(a *Asm) { a.SSERR(MOVMSKPS, RCX, XMM0+1) }},
		{"movmskpd r11d, xmm9", func(a *Asm) { a.SSERR(MOVMSKPD, R11, XMM0+9) }},
		{"pshufd xmm1, xmm2, 0xee", func(a *Asm) { a.SSERRI(PSHUFD, XMM0+1, XMM0+2, 0xee) }},
		{"pshuflw xmm10, xmm2, 0x0", func(a *Asm) { a.SSERRI(PSHUFLW, XMM0+10, XMM0+2, 0) }},
		{"shufps xmm1, xmm1, 0x0", func(a *Asm) { a.SSERRI(SHUFPS, XMM0+1, XMM0+1, 0) }},
		{"cmpps xmm1, xmm13, 0x1", func(a *Asm) { a.SSERRI(CMPPS, XMM0+1, XMM0+13, CmpLt) }},
		{"cmppd xmm8, xmm2, 0x4", func(a *Asm) { a.SSERRI(CMPPD, XMM0+8, XMM0+2, CmpNeq) }},
		{"roundps xmm1, xmm2, 0xa", func(a *Asm) { a.SSERRI(ROUNDPS, XMM0+1, XMM0+2, RoundCeil) }},
		{"roundpd xmm1, xmm12, 0x8", func(a *Asm) { a.SSERRI(ROUNDPD, XMM0+1, XMM0+12, RoundNearest) }},
		{"insertps xmm3, xmm4, 0x20", func(a *Asm) { a.SSERRI(INSERTPS, XMM0+3, XMM0+4, 0x20) }},
		{"pinsrb xmm1, eax, 0xf", func(a *Asm) { a.SSERRI(PINSRB, XMM0+1, RAX, 15) }},
		{"pinsrb xmm9, byte ptr [r14+r11*1], 0x3", func(a *Asm) { a.SSERMI(PINSRB, XMM0+9, MI(R14, R11, 1, 0), 3) }},
		{"pinsrw xmm1, r10d, 0x7", func(a *Asm) { a.SSERRI(PINSRW, XMM0+1, R10, 7) }},
		{"pinsrw xmm1, word ptr [rax], 0x1", func(a *Asm) { a.SSERMI(PINSRW, XMM0+1, M(RAX, 0), 1) }},
		{"pinsrd xmm1, ecx, 0x3", func(a *Asm) { a.SSERRI(PINSRD, XMM0+1, RCX, 3) }},
		{"pinsrq xmm11, r8, 0x1", func(a *Asm) { a.SSERRI(PINSRQ, XMM0+11, R8, 1) }},
		{"pinsrq xmm1, qword ptr [rsp+0x8], 0x0", func(a *Asm) { a.SSERMI(PINSRQ, XMM0+1, M(RSP, 8), 0) }},
		{"pextrb eax, xmm1, 0xf", func(a *Asm) { a.SSERRI(PEXTRB, XMM0+1, RAX, 15) }},
		{"pextrb byte ptr [r14+r11*1+0x4], xmm2, 0x1", func(a *Asm) { a.SSERMI(PEXTRB, XMM0+2, MI(R14, R11, 1, 4), 1) }},
		{"pextrw ecx, xmm9, 0x7", func(a *Asm) { a.SSERRI(PEXTRWr, RCX, XMM0+9, 7) }},
		{"pextrw word ptr [rax], xmm1, 0x3", func(a *Asm) { a.SSERMI(PEXTRWm, XMM0+1, M(RAX, 0), 3) }},
		{"pextrd r10d, xmm1, 0x2", func(a *Asm) { a.SSERRI(PEXTRD, XMM0+1, R10, 2) }},
		{"pextrq rax, xmm12, 0x1", func(a *Asm) { a.SSERRI(PEXTRQ, XMM0+12, RAX, 1) }},
		{"pextrq qword ptr [rsp], xmm1, 0x1", func(a *Asm) { a.SSERMI(PEXTRQ, XMM0+1, M(RSP, 0), 1) }},
		{"psrlw xmm1, 0x4", func(a *Asm) { a.VecShiftI(PSRLW, XMM0+1, 4) }},
		{"psraw xmm9, 0xf", func(a *Asm) { a.VecShiftI(PSRAW, XMM0+9, 15) }},
		{"psllw xmm1, 0x8", func(a *Asm) { a.VecShiftI(PSLLW, XMM0+1, 8) }},
		{"psrld xmm1, 0x10", func(a *Asm) { a.VecShiftI(PSRLD, XMM0+1, 16) }},
		{"psrad xmm1, 0x1f", func(a *Asm) { a.VecShiftI(PSRAD, XMM0+1, 31) }},
		{"pslld xmm15, 0x1f", func(a *Asm) { a.VecShiftI(PSLLD, XMM0+15, 31) }},
		{"psrlq xmm1, 0x1", func(a *Asm) { a.VecShiftI(PSRLQ, XMM0+1, 1) }},
		{"psllq xmm1, 0x3f", func(a *Asm) { a.VecShiftI(PSLLQ, XMM0+1, 63) }},
	}...)
	return cs
}()

func init() { encodeCases = append(encodeCases, sseCases...) }
