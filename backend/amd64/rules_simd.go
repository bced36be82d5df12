package amd64

import (
	"math"

	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/lower/ir"
)

// SIMD rules on the x86-64-v2 baseline. Most operations are one packed
// instruction; the rest are short sequences, and the few with no packed
// form on SSE4.2 (float min/max with wasm's NaN and zero rules,
// saturating float-to-int) run lane by lane in the scalar domain through
// the frame's vector area (lanewise).
//
// Register discipline inside a rule: operands come in their own registers
// or xtmp1/xtmp2, the result is computed in its own register or xtmp0,
// and xtmp3 and xcycle are free temporaries.

func init() {
	def(v128Const, wasm.OpV128Const)
	def(vload, wasm.OpV128Load)
	def(vstore, wasm.OpV128Store)
	def(vloadExtend(PMOVSXBW), wasm.OpV128Load8x8S)
	def(vloadExtend(PMOVZXBW), wasm.OpV128Load8x8U)
	def(vloadExtend(PMOVSXWD), wasm.OpV128Load16x4S)
	def(vloadExtend(PMOVZXWD), wasm.OpV128Load16x4U)
	def(vloadExtend(PMOVSXDQ), wasm.OpV128Load32x2S)
	def(vloadExtend(PMOVZXDQ), wasm.OpV128Load32x2U)
	def(vloadSplat(1), wasm.OpV128Load8Splat)
	def(vloadSplat(2), wasm.OpV128Load16Splat)
	def(vloadSplat(4), wasm.OpV128Load32Splat)
	def(vloadSplat(8), wasm.OpV128Load64Splat)
	def(vloadZero(4), wasm.OpV128Load32Zero)
	def(vloadZero(8), wasm.OpV128Load64Zero)
	def(vloadLane(PINSRB), wasm.OpV128Load8Lane)
	def(vloadLane(PINSRW), wasm.OpV128Load16Lane)
	def(vloadLane(PINSRD), wasm.OpV128Load32Lane)
	def(vloadLane(PINSRQ), wasm.OpV128Load64Lane)
	def(vstoreLane(PEXTRB), wasm.OpV128Store8Lane)
	def(vstoreLane(PEXTRWm), wasm.OpV128Store16Lane)
	def(vstoreLane(PEXTRD), wasm.OpV128Store32Lane)
	def(vstoreLane(PEXTRQ), wasm.OpV128Store64Lane)

	def(shuffle, wasm.OpI8x16Shuffle)
	def(swizzle, wasm.OpI8x16Swizzle)
	def(splat(1), wasm.OpI8x16Splat)
	def(splat(2), wasm.OpI16x8Splat)
	def(splat(4), wasm.OpI32x4Splat)
	def(splat(8), wasm.OpI64x2Splat)
	def(fsplat(false), wasm.OpF32x4Splat)
	def(fsplat(true), wasm.OpF64x2Splat)
	def(extractLane(PEXTRB, 1), wasm.OpI8x16ExtractLaneS)
	def(extractLane(PEXTRB, 0), wasm.OpI8x16ExtractLaneU)
	def(extractLane(PEXTRWr, 2), wasm.OpI16x8ExtractLaneS)
	def(extractLane(PEXTRWr, 0), wasm.OpI16x8ExtractLaneU)
	def(extractLane(PEXTRD, 0), wasm.OpI32x4ExtractLane)
	def(extractLane(PEXTRQ, 0), wasm.OpI64x2ExtractLane)
	def(fextractLane(false), wasm.OpF32x4ExtractLane)
	def(fextractLane(true), wasm.OpF64x2ExtractLane)
	def(replaceLane(PINSRB), wasm.OpI8x16ReplaceLane)
	def(replaceLane(PINSRW), wasm.OpI16x8ReplaceLane)
	def(replaceLane(PINSRD), wasm.OpI32x4ReplaceLane)
	def(replaceLane(PINSRQ), wasm.OpI64x2ReplaceLane)
	def(freplaceLane(false), wasm.OpF32x4ReplaceLane)
	def(freplaceLane(true), wasm.OpF64x2ReplaceLane)

	// Integer comparisons, per lane width.
	for _, s := range []struct {
		eq, gt, minU, maxU SSE
		ops                [10]wasm.Opcode // eq ne lt_s lt_u gt_s gt_u le_s le_u ge_s ge_u
	}{
		{PCMPEQB, PCMPGTB, PMINUB, PMAXUB, [10]wasm.Opcode{wasm.OpI8x16Eq, wasm.OpI8x16Ne, wasm.OpI8x16LtS, wasm.OpI8x16LtU, wasm.OpI8x16GtS, wasm.OpI8x16GtU, wasm.OpI8x16LeS, wasm.OpI8x16LeU, wasm.OpI8x16GeS, wasm.OpI8x16GeU}},
		{PCMPEQW, PCMPGTW, PMINUW, PMAXUW, [10]wasm.Opcode{wasm.OpI16x8Eq, wasm.OpI16x8Ne, wasm.OpI16x8LtS, wasm.OpI16x8LtU, wasm.OpI16x8GtS, wasm.OpI16x8GtU, wasm.OpI16x8LeS, wasm.OpI16x8LeU, wasm.OpI16x8GeS, wasm.OpI16x8GeU}},
		{PCMPEQD, PCMPGTD, PMINUD, PMAXUD, [10]wasm.Opcode{wasm.OpI32x4Eq, wasm.OpI32x4Ne, wasm.OpI32x4LtS, wasm.OpI32x4LtU, wasm.OpI32x4GtS, wasm.OpI32x4GtU, wasm.OpI32x4LeS, wasm.OpI32x4LeU, wasm.OpI32x4GeS, wasm.OpI32x4GeU}},
	} {
		def(vcmp(s.eq, false, false), s.ops[0])
		def(vcmp(s.eq, false, true), s.ops[1])
		def(vcmp(s.gt, true, false), s.ops[2])
		def(vcmpU(s.maxU, s.eq, true), s.ops[3])
		def(vcmp(s.gt, false, false), s.ops[4])
		def(vcmpU(s.minU, s.eq, true), s.ops[5])
		def(vcmp(s.gt, false, true), s.ops[6])
		def(vcmpU(s.minU, s.eq, false), s.ops[7])
		def(vcmp(s.gt, true, true), s.ops[8])
		def(vcmpU(s.maxU, s.eq, false), s.ops[9])
	}
	def(vcmp(PCMPEQQ, false, false), wasm.OpI64x2Eq)
	def(vcmp(PCMPEQQ, false, true), wasm.OpI64x2Ne)
	def(vcmp(PCMPGTQ, true, false), wasm.OpI64x2LtS)
	def(vcmp(PCMPGTQ, false, false), wasm.OpI64x2GtS)
	def(vcmp(PCMPGTQ, false, true), wasm.OpI64x2LeS)
	def(vcmp(PCMPGTQ, true, true), wasm.OpI64x2GeS)
	for _, f := range []struct {
		cmp SSE
		ops [6]wasm.Opcode
	}{
		{CMPPS, [6]wasm.Opcode{wasm.OpF32x4Eq, wasm.OpF32x4Ne, wasm.OpF32x4Lt, wasm.OpF32x4Gt, wasm.OpF32x4Le, wasm.OpF32x4Ge}},
		{CMPPD, [6]wasm.Opcode{wasm.OpF64x2Eq, wasm.OpF64x2Ne, wasm.OpF64x2Lt, wasm.OpF64x2Gt, wasm.OpF64x2Le, wasm.OpF64x2Ge}},
	} {
		def(vfcmp(f.cmp, CmpEq, false), f.ops[0])
		def(vfcmp(f.cmp, CmpNeq, false), f.ops[1])
		def(vfcmp(f.cmp, CmpLt, false), f.ops[2])
		def(vfcmp(f.cmp, CmpLt, true), f.ops[3])
		def(vfcmp(f.cmp, CmpLe, false), f.ops[4])
		def(vfcmp(f.cmp, CmpLe, true), f.ops[5])
	}

	// Bitwise.
	def(vnot, wasm.OpV128Not)
	defTied(vbin(PAND), wasm.OpV128And)
	def(vbinSwapped(PANDN), wasm.OpV128Andnot)
	defTied(vbin(POR), wasm.OpV128Or)
	defTied(vbin(PXOR), wasm.OpV128Xor)
	def(bitselect, wasm.OpV128Bitselect)
	def(anyTrue, wasm.OpV128AnyTrue)
	def(allTrue(PCMPEQB), wasm.OpI8x16AllTrue)
	def(allTrue(PCMPEQW), wasm.OpI16x8AllTrue)
	def(allTrue(PCMPEQD), wasm.OpI32x4AllTrue)
	def(allTrue(PCMPEQQ), wasm.OpI64x2AllTrue)
	def(bitmask(PMOVMSKB, false), wasm.OpI8x16Bitmask)
	def(bitmask(PMOVMSKB, true), wasm.OpI16x8Bitmask)
	def(bitmask(MOVMSKPS, false), wasm.OpI32x4Bitmask)
	def(bitmask(MOVMSKPD, false), wasm.OpI64x2Bitmask)

	// Integer arithmetic.
	for _, b := range []struct {
		op  SSE
		ops []wasm.Opcode
	}{
		{PADDB, []wasm.Opcode{wasm.OpI8x16Add}}, {PADDW, []wasm.Opcode{wasm.OpI16x8Add}},
		{PADDD, []wasm.Opcode{wasm.OpI32x4Add}}, {PADDQ, []wasm.Opcode{wasm.OpI64x2Add}},
		{PSUBB, []wasm.Opcode{wasm.OpI8x16Sub}}, {PSUBW, []wasm.Opcode{wasm.OpI16x8Sub}},
		{PSUBD, []wasm.Opcode{wasm.OpI32x4Sub}}, {PSUBQ, []wasm.Opcode{wasm.OpI64x2Sub}},
		{PADDSB, []wasm.Opcode{wasm.OpI8x16AddSatS}}, {PADDUSB, []wasm.Opcode{wasm.OpI8x16AddSatU}},
		{PSUBSB, []wasm.Opcode{wasm.OpI8x16SubSatS}}, {PSUBUSB, []wasm.Opcode{wasm.OpI8x16SubSatU}},
		{PADDSW, []wasm.Opcode{wasm.OpI16x8AddSatS}}, {PADDUSW, []wasm.Opcode{wasm.OpI16x8AddSatU}},
		{PSUBSW, []wasm.Opcode{wasm.OpI16x8SubSatS}}, {PSUBUSW, []wasm.Opcode{wasm.OpI16x8SubSatU}},
		{PMULLW, []wasm.Opcode{wasm.OpI16x8Mul}}, {PMULLD, []wasm.Opcode{wasm.OpI32x4Mul}},
		{PMINSB, []wasm.Opcode{wasm.OpI8x16MinS}}, {PMINUB, []wasm.Opcode{wasm.OpI8x16MinU}},
		{PMAXSB, []wasm.Opcode{wasm.OpI8x16MaxS}}, {PMAXUB, []wasm.Opcode{wasm.OpI8x16MaxU}},
		{PMINSW, []wasm.Opcode{wasm.OpI16x8MinS}}, {PMINUW, []wasm.Opcode{wasm.OpI16x8MinU}},
		{PMAXSW, []wasm.Opcode{wasm.OpI16x8MaxS}}, {PMAXUW, []wasm.Opcode{wasm.OpI16x8MaxU}},
		{PMINSD, []wasm.Opcode{wasm.OpI32x4MinS}}, {PMINUD, []wasm.Opcode{wasm.OpI32x4MinU}},
		{PMAXSD, []wasm.Opcode{wasm.OpI32x4MaxS}}, {PMAXUD, []wasm.Opcode{wasm.OpI32x4MaxU}},
		{PAVGB, []wasm.Opcode{wasm.OpI8x16AvgrU}}, {PAVGW, []wasm.Opcode{wasm.OpI16x8AvgrU}},
		{PMADDWD, []wasm.Opcode{wasm.OpI32x4DotI16x8S}},
		{PACKSSWB, []wasm.Opcode{wasm.OpI8x16NarrowI16x8S}}, {PACKUSWB, []wasm.Opcode{wasm.OpI8x16NarrowI16x8U}},
		{PACKSSDW, []wasm.Opcode{wasm.OpI16x8NarrowI32x4S}}, {PACKUSDW, []wasm.Opcode{wasm.OpI16x8NarrowI32x4U}},
		{ADDPS, []wasm.Opcode{wasm.OpF32x4Add}}, {ADDPD, []wasm.Opcode{wasm.OpF64x2Add}},
		{SUBPS, []wasm.Opcode{wasm.OpF32x4Sub}}, {SUBPD, []wasm.Opcode{wasm.OpF64x2Sub}},
		{MULPS, []wasm.Opcode{wasm.OpF32x4Mul}}, {MULPD, []wasm.Opcode{wasm.OpF64x2Mul}},
		{DIVPS, []wasm.Opcode{wasm.OpF32x4Div}}, {DIVPD, []wasm.Opcode{wasm.OpF64x2Div}},
	} {
		defTied(vbin(b.op), b.ops...)
	}
	def(vbinSwapped(MINPS), wasm.OpF32x4Pmin)
	def(vbinSwapped(MINPD), wasm.OpF64x2Pmin)
	def(vbinSwapped(MAXPS), wasm.OpF32x4Pmax)
	def(vbinSwapped(MAXPD), wasm.OpF64x2Pmax)
	def(vun(PABSB), wasm.OpI8x16Abs)
	def(vun(PABSW), wasm.OpI16x8Abs)
	def(vun(PABSD), wasm.OpI32x4Abs)
	def(i64x2Abs, wasm.OpI64x2Abs)
	def(vneg(PSUBB), wasm.OpI8x16Neg)
	def(vneg(PSUBW), wasm.OpI16x8Neg)
	def(vneg(PSUBD), wasm.OpI32x4Neg)
	def(vneg(PSUBQ), wasm.OpI64x2Neg)
	def(i8x16Popcnt, wasm.OpI8x16Popcnt)
	def(i64x2Mul, wasm.OpI64x2Mul)
	def(q15mulr, wasm.OpI16x8Q15mulrSatS)
	def(extaddPairwise(true, false), wasm.OpI16x8ExtaddPairwiseI8x16S)
	def(extaddPairwise(false, false), wasm.OpI16x8ExtaddPairwiseI8x16U)
	def(extaddPairwise(true, true), wasm.OpI32x4ExtaddPairwiseI16x8S)
	def(extaddPairwise(false, true), wasm.OpI32x4ExtaddPairwiseI16x8U)

	// Widening.
	for _, e := range []struct {
		ext           SSE
		lowOp, highOp wasm.Opcode
	}{
		{PMOVSXBW, wasm.OpI16x8ExtendLowI8x16S, wasm.OpI16x8ExtendHighI8x16S},
		{PMOVZXBW, wasm.OpI16x8ExtendLowI8x16U, wasm.OpI16x8ExtendHighI8x16U},
		{PMOVSXWD, wasm.OpI32x4ExtendLowI16x8S, wasm.OpI32x4ExtendHighI16x8S},
		{PMOVZXWD, wasm.OpI32x4ExtendLowI16x8U, wasm.OpI32x4ExtendHighI16x8U},
		{PMOVSXDQ, wasm.OpI64x2ExtendLowI32x4S, wasm.OpI64x2ExtendHighI32x4S},
		{PMOVZXDQ, wasm.OpI64x2ExtendLowI32x4U, wasm.OpI64x2ExtendHighI32x4U},
	} {
		def(extend128(e.ext, false), e.lowOp)
		def(extend128(e.ext, true), e.highOp)
	}
	def(extmul(PMOVSXBW, PMULLW, false), wasm.OpI16x8ExtmulLowI8x16S)
	def(extmul(PMOVSXBW, PMULLW, true), wasm.OpI16x8ExtmulHighI8x16S)
	def(extmul(PMOVZXBW, PMULLW, false), wasm.OpI16x8ExtmulLowI8x16U)
	def(extmul(PMOVZXBW, PMULLW, true), wasm.OpI16x8ExtmulHighI8x16U)
	def(extmul(PMOVSXWD, PMULLD, false), wasm.OpI32x4ExtmulLowI16x8S)
	def(extmul(PMOVSXWD, PMULLD, true), wasm.OpI32x4ExtmulHighI16x8S)
	def(extmul(PMOVZXWD, PMULLD, false), wasm.OpI32x4ExtmulLowI16x8U)
	def(extmul(PMOVZXWD, PMULLD, true), wasm.OpI32x4ExtmulHighI16x8U)
	def(extmul64(PMULDQ, false), wasm.OpI64x2ExtmulLowI32x4S)
	def(extmul64(PMULDQ, true), wasm.OpI64x2ExtmulHighI32x4S)
	def(extmul64(PMULUDQ, false), wasm.OpI64x2ExtmulLowI32x4U)
	def(extmul64(PMULUDQ, true), wasm.OpI64x2ExtmulHighI32x4U)

	// Shifts.
	def(vshift(PSLLWx, 16), wasm.OpI16x8Shl)
	def(vshift(PSRAWx, 16), wasm.OpI16x8ShrS)
	def(vshift(PSRLWx, 16), wasm.OpI16x8ShrU)
	def(vshift(PSLLDx, 32), wasm.OpI32x4Shl)
	def(vshift(PSRADx, 32), wasm.OpI32x4ShrS)
	def(vshift(PSRLDx, 32), wasm.OpI32x4ShrU)
	def(vshift(PSLLQx, 64), wasm.OpI64x2Shl)
	def(vshift(PSRLQx, 64), wasm.OpI64x2ShrU)
	def(i8x16Shift(SHL), wasm.OpI8x16Shl)
	def(i8x16Shift(SAR), wasm.OpI8x16ShrS)
	def(i8x16Shift(SHR), wasm.OpI8x16ShrU)
	def(i64x2ShrS, wasm.OpI64x2ShrS)

	// Floats.
	def(vun(SQRTPS), wasm.OpF32x4Sqrt)
	def(vun(SQRTPD), wasm.OpF64x2Sqrt)
	def(vfsign(false, signAbs), wasm.OpF32x4Abs)
	def(vfsign(false, signNeg), wasm.OpF32x4Neg)
	def(vfsign(true, signAbs), wasm.OpF64x2Abs)
	def(vfsign(true, signNeg), wasm.OpF64x2Neg)
	def(vround(ROUNDPS, RoundCeil), wasm.OpF32x4Ceil)
	def(vround(ROUNDPS, RoundFloor), wasm.OpF32x4Floor)
	def(vround(ROUNDPS, RoundTrunc), wasm.OpF32x4Trunc)
	def(vround(ROUNDPS, RoundNearest), wasm.OpF32x4Nearest)
	def(vround(ROUNDPD, RoundCeil), wasm.OpF64x2Ceil)
	def(vround(ROUNDPD, RoundFloor), wasm.OpF64x2Floor)
	def(vround(ROUNDPD, RoundTrunc), wasm.OpF64x2Trunc)
	def(vround(ROUNDPD, RoundNearest), wasm.OpF64x2Nearest)
	def(vminmax(false, true), wasm.OpF32x4Min)
	def(vminmax(false, false), wasm.OpF32x4Max)
	def(vminmax(true, true), wasm.OpF64x2Min)
	def(vminmax(true, false), wasm.OpF64x2Max)
	def(vun(CVTDQ2PS), wasm.OpF32x4ConvertI32x4S)
	def(f32x4ConvertU, wasm.OpF32x4ConvertI32x4U)
	def(vun(CVTDQ2PD), wasm.OpF64x2ConvertLowI32x4S)
	def(f64x2ConvertLowU, wasm.OpF64x2ConvertLowI32x4U)
	def(vun(CVTPD2PS), wasm.OpF32x4DemoteF64x2Zero)
	def(vun(CVTPS2PD), wasm.OpF64x2PromoteLowF32x4)
	def(vtruncSat(false, rangeI32), wasm.OpI32x4TruncSatF32x4S)
	def(vtruncSat(false, rangeU32), wasm.OpI32x4TruncSatF32x4U)
	def(vtruncSat(true, rangeI32), wasm.OpI32x4TruncSatF64x2SZero)
	def(vtruncSat(true, rangeU32), wasm.OpI32x4TruncSatF64x2UZero)
}

// vecConst puts the 128-bit constant hi:lo in x (uses tmpR).
func (g *gen) vecConst(x Reg, lo, hi uint64) {
	if lo == 0 && hi == 0 {
		g.a.SSERR(PXOR, x, x)
		return
	}
	g.loadConst(MOVDQU, x, lo, hi)
}

// splat64 repeats a lane pattern over 64 bits: size bytes of v.
func splat64(v uint64, size int) uint64 {
	v &= 1<<(8*size) - 1
	if size == 8 {
		return ^uint64(0) & v
	}
	var out uint64
	for i := 0; i < 8; i += size {
		out |= v << (8 * i)
	}
	return out
}

func v128Const(g *gen, in *ir.Instr) error {
	v := in.Results[0]
	d := g.out(v)
	g.vecConst(d, in.Const, in.ConstHi)
	g.finish(v, d)
	return nil
}

// vres runs body on the result register and stores it.
func (g *gen) vres(in *ir.Instr, body func(d Reg)) error {
	v := in.Results[0]
	d := g.out(v)
	body(d)
	g.finish(v, d)
	return nil
}

func vload(g *gen, in *ir.Instr) error {
	return g.vres(in, func(d Reg) { g.a.LoadXMM(16, d, g.effAddr(in.Args[0], in.Offset)) })
}

func vstore(g *gen, in *ir.Instr) error {
	val := g.use(in.Args[1], xtmp1)
	g.a.StoreXMM(16, g.effAddr(in.Args[0], in.Offset), val)
	return nil
}

func vloadExtend(op SSE) rule {
	return func(g *gen, in *ir.Instr) error {
		return g.vres(in, func(d Reg) { g.a.SSERM(op, d, g.effAddr(in.Args[0], in.Offset)) })
	}
}

func vloadSplat(size Size) rule {
	return func(g *gen, in *ir.Instr) error {
		return g.vres(in, func(d Reg) {
			g.a.Load(size, tmpA, g.effAddr(in.Args[0], in.Offset))
			g.splatGPR(d, tmpA, size)
		})
	}
}

func vloadZero(size Size) rule {
	return func(g *gen, in *ir.Instr) error {
		return g.vres(in, func(d Reg) { g.a.LoadXMM(size, d, g.effAddr(in.Args[0], in.Offset)) })
	}
}

func vloadLane(op SSE) rule {
	return func(g *gen, in *ir.Instr) error {
		return g.vres(in, func(d Reg) {
			g.a.SSERR(MOVAPS, d, g.use(in.Args[1], xtmp1))
			g.a.SSERMI(op, d, g.effAddr(in.Args[0], in.Offset), in.Lane)
		})
	}
}

func vstoreLane(op SSE) rule {
	return func(g *gen, in *ir.Instr) error {
		val := g.use(in.Args[1], xtmp1)
		g.a.SSERMI(op, val, g.effAddr(in.Args[0], in.Offset), in.Lane)
		return nil
	}
}

// splatGPR repeats the low size bytes of r over the lanes of d.
func (g *gen) splatGPR(d, r Reg, size Size) {
	switch size {
	case 1:
		g.a.MovGX(false, d, r)
		g.a.SSERR(PXOR, xcycle, xcycle)
		g.a.SSERR(PSHUFB, d, xcycle)
	case 2:
		g.a.MovGX(false, d, r)
		g.a.SSERRI(PSHUFLW, d, d, 0)
		g.a.SSERRI(PSHUFD, d, d, 0)
	case 4:
		g.a.MovGX(false, d, r)
		g.a.SSERRI(PSHUFD, d, d, 0)
	case 8:
		g.a.MovGX(true, d, r)
		g.a.SSERR(PUNPCKLQDQ, d, d)
	}
}

func splat(size Size) rule {
	return func(g *gen, in *ir.Instr) error {
		return g.vres(in, func(d Reg) { g.splatGPR(d, g.use(in.Args[0], tmpD), size) })
	}
}

func fsplat(double bool) rule {
	return func(g *gen, in *ir.Instr) error {
		return g.vres(in, func(d Reg) {
			g.a.SSERR(MOVAPS, d, g.use(in.Args[0], xtmp1))
			if double {
				g.a.SSERR(PUNPCKLQDQ, d, d)
			} else {
				g.a.SSERRI(PSHUFD, d, d, 0)
			}
		})
	}
}

// extractLane: pextr* zero-extends; signExtend 1 or 2 sign-extends the
// byte or word afterwards.
func extractLane(op SSE, signExtend Size) rule {
	return func(g *gen, in *ir.Instr) error {
		return g.vres(in, func(d Reg) {
			x := g.use(in.Args[0], xtmp1)
			if op.Prefix == PEXTRWr.Prefix && string(op.Op) == string(PEXTRWr.Op) {
				g.a.SSERRI(op, d, x, in.Lane) // the GPR is the ModRM reg field
			} else {
				g.a.SSERRI(op, x, d, in.Lane)
			}
			if signExtend != 0 {
				g.a.Extend(signExtend, true, false, d, d)
			}
		})
	}
}

func fextractLane(double bool) rule {
	return func(g *gen, in *ir.Instr) error {
		return g.vres(in, func(d Reg) {
			x := g.use(in.Args[0], xtmp1)
			switch {
			case in.Lane == 0:
				g.a.SSERR(MOVAPS, d, x)
			case double:
				g.a.SSERRI(PSHUFD, d, x, 0xee)
			default:
				g.a.SSERRI(PSHUFD, d, x, in.Lane)
			}
		})
	}
}

func replaceLane(op SSE) rule {
	return func(g *gen, in *ir.Instr) error {
		return g.vres(in, func(d Reg) {
			g.a.SSERR(MOVAPS, d, g.use(in.Args[0], xtmp1))
			g.a.SSERRI(op, d, g.use(in.Args[1], tmpD), in.Lane)
		})
	}
}

func freplaceLane(double bool) rule {
	return func(g *gen, in *ir.Instr) error {
		return g.vres(in, func(d Reg) {
			g.a.SSERR(MOVAPS, d, g.use(in.Args[0], xtmp1))
			s := g.use(in.Args[1], xtmp2)
			switch {
			case !double:
				g.a.SSERRI(INSERTPS, d, s, in.Lane<<4)
			case in.Lane == 0:
				g.a.SSERR(MOVSDrr, d, s)
			default:
				g.a.SSERR(UNPCKLPD, d, s)
			}
		})
	}
}

// shuffle selects bytes from a and b with a pshufb mask each (0x80
// zeroes a byte; the masks are memory operands in the constant pool) and
// merges them. An operand that no lane selects, or that is the constant
// zero (its lanes are 0x80 in the other's mask), takes no pshufb.
func shuffle(g *gen, in *ir.Instr) error {
	var lanes [16]byte
	for i := 0; i < 8; i++ {
		lanes[i] = byte(in.Const >> (8 * i))
		lanes[8+i] = byte(in.ConstHi >> (8 * i))
	}
	zeroA, zeroB := g.consts[in.Args[0]] != nil, g.consts[in.Args[1]] != nil
	var ma, mb [16]byte
	var useA, useB bool
	for i, l := range lanes {
		ma[i], mb[i] = 0x80, 0x80
		switch {
		case l < 16 && !zeroA:
			ma[i], useA = l, true
		case l >= 16 && !zeroB:
			mb[i], useB = l-16, true
		}
	}
	return g.vres(in, func(d Reg) {
		switch {
		case !useA && !useB:
			g.a.SSERR(PXOR, d, d)
			return
		case useA:
			g.a.SSERR(MOVAPS, d, g.use(in.Args[0], xtmp1))
			g.loadConst(PSHUFB, d, le64(ma[:8]), le64(ma[8:]))
		default:
			g.a.SSERR(MOVAPS, d, g.use(in.Args[1], xtmp2))
			g.loadConst(PSHUFB, d, le64(mb[:8]), le64(mb[8:]))
			return
		}
		if useB {
			g.a.SSERR(MOVAPS, xcycle, g.use(in.Args[1], xtmp2))
			g.loadConst(PSHUFB, xcycle, le64(mb[:8]), le64(mb[8:]))
			g.a.SSERR(POR, d, xcycle)
		}
	})
}

func le64(b []byte) uint64 {
	var v uint64
	for i, x := range b {
		v |= uint64(x) << (8 * i)
	}
	return v
}

// swizzle: indices of 16 and more must give 0; adding 0x70 with unsigned
// saturation sets their top bit (pshufb's zeroing bit) and keeps the low
// four bits of the others.
func swizzle(g *gen, in *ir.Instr) error {
	return g.vres(in, func(d Reg) {
		a := g.use(in.Args[0], xtmp1)
		s := g.use(in.Args[1], xtmp2)
		g.vecConst(xtmp3, splat64(0x70, 1), splat64(0x70, 1))
		g.a.SSERR(PADDUSB, xtmp3, s)
		g.a.SSERR(MOVAPS, d, a)
		g.a.SSERR(PSHUFB, d, xtmp3)
	})
}

// allOnes sets every bit of x.
func (g *gen) allOnes(x Reg) { g.a.SSERR(PCMPEQD, x, x) }

// vcmp: d = a op b, or b op a when swap, inverted when invert.
func vcmp(op SSE, swap, invert bool) rule {
	return func(g *gen, in *ir.Instr) error {
		return g.vres(in, func(d Reg) {
			a := g.use(in.Args[0], xtmp1)
			b := g.use(in.Args[1], xtmp2)
			if swap {
				a, b = b, a
			}
			g.a.SSERR(MOVAPS, d, a)
			g.a.SSERR(op, d, b)
			if invert {
				g.allOnes(xtmp3)
				g.a.SSERR(PXOR, d, xtmp3)
			}
		})
	}
}

// vcmpU: unsigned comparisons through min/max: a <= b iff min(a,b) == a,
// a >= b iff max(a,b) == a; invert gives the strict opposite.
func vcmpU(minmax, eq SSE, invert bool) rule {
	return func(g *gen, in *ir.Instr) error {
		return g.vres(in, func(d Reg) {
			a := g.use(in.Args[0], xtmp1)
			b := g.use(in.Args[1], xtmp2)
			g.a.SSERR(MOVAPS, d, a)
			g.a.SSERR(minmax, d, b)
			g.a.SSERR(eq, d, a)
			if invert {
				g.allOnes(xtmp3)
				g.a.SSERR(PXOR, d, xtmp3)
			}
		})
	}
}

// vfcmp: cmpps/cmppd with a predicate (gt and ge swap the operands).
func vfcmp(op SSE, pred byte, swap bool) rule {
	return func(g *gen, in *ir.Instr) error {
		return g.vres(in, func(d Reg) {
			a := g.use(in.Args[0], xtmp1)
			b := g.use(in.Args[1], xtmp2)
			if swap {
				a, b = b, a
			}
			g.a.SSERR(MOVAPS, d, a)
			g.a.SSERRI(op, d, b, pred)
		})
	}
}

func vnot(g *gen, in *ir.Instr) error {
	return g.vres(in, func(d Reg) {
		g.allOnes(d)
		g.a.SSERR(PXOR, d, g.use(in.Args[0], xtmp1))
	})
}

// vbin: d = a op b.
func vbin(op SSE) rule {
	return func(g *gen, in *ir.Instr) error {
		return g.vres(in, func(d Reg) {
			a := g.use(in.Args[0], xtmp1)
			b := g.use(in.Args[1], xtmp2)
			g.copyXMM(d, a)
			g.a.SSERR(op, d, b)
		})
	}
}

// vbinSwapped: d = b op a (andnot's pandn, pmin/pmax's operand order).
func vbinSwapped(op SSE) rule {
	return func(g *gen, in *ir.Instr) error {
		return g.vres(in, func(d Reg) {
			a := g.use(in.Args[0], xtmp1)
			b := g.use(in.Args[1], xtmp2)
			g.a.SSERR(MOVAPS, d, b)
			g.a.SSERR(op, d, a)
		})
	}
}

// vun: d = op a, where op writes its whole destination.
func vun(op SSE) rule {
	return func(g *gen, in *ir.Instr) error {
		return g.vres(in, func(d Reg) { g.a.SSERR(op, d, g.use(in.Args[0], xtmp1)) })
	}
}

func vneg(sub SSE) rule {
	return func(g *gen, in *ir.Instr) error {
		return g.vres(in, func(d Reg) {
			g.a.SSERR(PXOR, d, d)
			g.a.SSERR(sub, d, g.use(in.Args[0], xtmp1))
		})
	}
}

// bitselect(a, b, c) = (a & c) | (b & ^c).
func bitselect(g *gen, in *ir.Instr) error {
	return g.vres(in, func(d Reg) {
		a := g.use(in.Args[0], xtmp1)
		b := g.use(in.Args[1], xtmp2)
		c := g.use(in.Args[2], xtmp3)
		g.a.SSERR(MOVAPS, xcycle, a)
		g.a.SSERR(PAND, xcycle, c)
		g.a.SSERR(MOVAPS, d, c)
		g.a.SSERR(PANDN, d, b)
		g.a.SSERR(POR, d, xcycle)
	})
}

func anyTrue(g *gen, in *ir.Instr) error {
	return g.vres(in, func(d Reg) {
		x := g.use(in.Args[0], xtmp1)
		g.a.ALURR(XOR, false, d, d)
		g.a.SSERR(PTEST, x, x)
		g.a.Setcc(CondNE, d)
	})
}

// allTrue: no lane equals zero.
func allTrue(eq SSE) rule {
	return func(g *gen, in *ir.Instr) error {
		return g.vres(in, func(d Reg) {
			x := g.use(in.Args[0], xtmp1)
			g.a.SSERR(PXOR, xtmp3, xtmp3)
			g.a.SSERR(eq, xtmp3, x)
			g.a.ALURR(XOR, false, d, d)
			g.a.SSERR(PTEST, xtmp3, xtmp3)
			g.a.Setcc(CondE, d)
		})
	}
}

// bitmask: the lanes' top bits; i16x8 first packs words to bytes with
// signed saturation (which keeps the sign).
func bitmask(op SSE, words bool) rule {
	return func(g *gen, in *ir.Instr) error {
		return g.vres(in, func(d Reg) {
			x := g.use(in.Args[0], xtmp1)
			if words {
				g.a.SSERR(MOVAPS, xtmp3, x)
				g.a.SSERR(PACKSSWB, xtmp3, xtmp3)
				x = xtmp3
			}
			g.a.SSERR(op, d, x)
			if words {
				g.a.ALURI(AND, false, d, 0xff)
			}
		})
	}
}

// i64x2Abs: s = 0 > x (all ones where negative); (x ^ s) - s.
func i64x2Abs(g *gen, in *ir.Instr) error {
	return g.vres(in, func(d Reg) {
		x := g.use(in.Args[0], xtmp1)
		g.a.SSERR(PXOR, xtmp3, xtmp3)
		g.a.SSERR(PCMPGTQ, xtmp3, x)
		g.a.SSERR(MOVAPS, d, x)
		g.a.SSERR(PXOR, d, xtmp3)
		g.a.SSERR(PSUBQ, d, xtmp3)
	})
}

// i8x16Popcnt counts each nibble with a 16-entry pshufb table.
func i8x16Popcnt(g *gen, in *ir.Instr) error {
	return g.vres(in, func(d Reg) {
		x := g.use(in.Args[0], xtmp1)
		g.vecConst(xcycle, splat64(0x0f, 1), splat64(0x0f, 1))
		g.a.SSERR(MOVAPS, xtmp3, x)
		g.a.VecShiftI(PSRLW, xtmp3, 4)
		g.a.SSERR(PAND, xtmp3, xcycle) // high nibbles
		g.a.SSERR(MOVAPS, xtmp2, x)
		g.a.SSERR(PAND, xtmp2, xcycle) // low nibbles
		g.vecConst(d, 0x0302020102010100, 0x0403030203020201)
		g.a.SSERR(MOVAPS, xcycle, d)
		g.a.SSERR(PSHUFB, d, xtmp2)
		g.a.SSERR(PSHUFB, xcycle, xtmp3)
		g.a.SSERR(PADDB, d, xcycle)
	})
}

// q15mulr: pmulhrsw rounds like wasm except 0x8000*0x8000, which gives
// 0x8000 instead of saturating to 0x7fff; flip exactly those lanes.
func q15mulr(g *gen, in *ir.Instr) error {
	return g.vres(in, func(d Reg) {
		a := g.use(in.Args[0], xtmp1)
		b := g.use(in.Args[1], xtmp2)
		g.a.SSERR(MOVAPS, d, a)
		g.a.SSERR(PMULHRSW, d, b)
		g.vecConst(xtmp3, splat64(0x8000, 2), splat64(0x8000, 2))
		g.a.SSERR(PCMPEQW, xtmp3, d)
		g.a.SSERR(PXOR, d, xtmp3)
	})
}

// extaddPairwise adds adjacent lanes into lanes twice as wide, through
// the multiply-add instructions with a multiplier of 1. pmaddwd is signed
// only, so the unsigned 16-bit form biases the lanes by -0x8000 and adds
// 2*0x8000 back.
func extaddPairwise(signed, words bool) rule {
	return func(g *gen, in *ir.Instr) error {
		return g.vres(in, func(d Reg) {
			x := g.use(in.Args[0], xtmp1)
			switch {
			case !words && signed: // pmaddubsw(unsigned ones, signed x)
				g.vecConst(d, splat64(1, 1), splat64(1, 1))
				g.a.SSERR(PMADDUBSW, d, x)
			case !words: // pmaddubsw(unsigned x, signed ones)
				g.vecConst(xtmp3, splat64(1, 1), splat64(1, 1))
				g.a.SSERR(MOVAPS, d, x)
				g.a.SSERR(PMADDUBSW, d, xtmp3)
			case signed:
				g.vecConst(xtmp3, splat64(1, 2), splat64(1, 2))
				g.a.SSERR(MOVAPS, d, x)
				g.a.SSERR(PMADDWD, d, xtmp3)
			default:
				g.vecConst(xtmp3, splat64(0x8000, 2), splat64(0x8000, 2))
				g.a.SSERR(MOVAPS, d, x)
				g.a.SSERR(PXOR, d, xtmp3)
				g.vecConst(xtmp3, splat64(1, 2), splat64(1, 2))
				g.a.SSERR(PMADDWD, d, xtmp3)
				g.vecConst(xtmp3, splat64(0x10000, 4), splat64(0x10000, 4))
				g.a.SSERR(PADDD, d, xtmp3)
			}
		})
	}
}

// extend128 widens the low half, or the high half moved down first.
func extend128(ext SSE, high bool) rule {
	return func(g *gen, in *ir.Instr) error {
		return g.vres(in, func(d Reg) {
			x := g.use(in.Args[0], xtmp1)
			if high {
				g.a.SSERRI(PSHUFD, xtmp3, x, 0xee)
				x = xtmp3
			}
			g.a.SSERR(ext, d, x)
		})
	}
}

// extmul widens both operands' halves and multiplies.
func extmul(ext, mul SSE, high bool) rule {
	return func(g *gen, in *ir.Instr) error {
		return g.vres(in, func(d Reg) {
			a := g.use(in.Args[0], xtmp1)
			b := g.use(in.Args[1], xtmp2)
			if high {
				g.a.SSERRI(PSHUFD, xtmp3, a, 0xee)
				g.a.SSERRI(PSHUFD, xcycle, b, 0xee)
				a, b = xtmp3, xcycle
			}
			g.a.SSERR(ext, d, a)
			g.a.SSERR(ext, xcycle, b)
			g.a.SSERR(mul, d, xcycle)
		})
	}
}

// extmul64: pmuldq/pmuludq multiply the even 32-bit lanes, so the halves
// are spread to lanes 0 and 2 first.
func extmul64(mul SSE, high bool) rule {
	sel := byte(0x50) // lanes 0,0,1,1
	if high {
		sel = 0xfa // lanes 2,2,3,3
	}
	return func(g *gen, in *ir.Instr) error {
		return g.vres(in, func(d Reg) {
			a := g.use(in.Args[0], xtmp1)
			b := g.use(in.Args[1], xtmp2)
			g.a.SSERRI(PSHUFD, d, a, sel)
			g.a.SSERRI(PSHUFD, xtmp3, b, sel)
			g.a.SSERR(mul, d, xtmp3)
		})
	}
}

// vshift shifts every lane by the count modulo the lane width.
func vshift(op SSE, bits int32) rule {
	return func(g *gen, in *ir.Instr) error {
		return g.vres(in, func(d Reg) {
			x := g.use(in.Args[0], xtmp1)
			n := g.use(in.Args[1], tmpC)
			g.a.MovRR(false, tmpC, n)
			g.a.ALURI(AND, false, tmpC, bits-1)
			g.a.MovGX(false, xtmp3, tmpC)
			g.a.SSERR(MOVAPS, d, x)
			g.a.SSERR(op, d, xtmp3)
		})
	}
}

// lanewise computes a v128 result lane by lane: the v128 operands are
// stored to the frame's vector area (+0, +16), body writes each result
// lane at +32, and the result is loaded from there.
func (g *gen) lanewise(in *ir.Instr, lanes int, body func(k int, a, b, r func(off int32) Mem)) error {
	base := g.vecOff
	n := 0
	for _, arg := range in.Args {
		if g.f.Types[arg] == ir.V128 && n < 2 {
			g.a.StoreXMM(16, M(RSP, base+16*int32(n)), g.use(arg, xtmp1))
			n++
		}
	}
	at := func(area int32) func(off int32) Mem {
		return func(off int32) Mem { return M(RSP, base+area+off) }
	}
	for k := 0; k < lanes; k++ {
		body(k, at(0), at(16), at(32))
	}
	return g.vres(in, func(d Reg) { g.a.LoadXMM(16, d, M(RSP, base+32)) })
}

// i64x2Mul: with lanes a = ah:al and b = bh:bl (32-bit halves),
// a*b mod 2^64 = al*bl + ((ah*bl + al*bh) << 32), three pmuludq.
func i64x2Mul(g *gen, in *ir.Instr) error {
	return g.vres(in, func(d Reg) {
		a := g.use(in.Args[0], xtmp1)
		b := g.use(in.Args[1], xtmp2)
		g.a.SSERR(MOVAPS, xtmp3, a)
		g.a.VecShiftI(PSRLQ, xtmp3, 32)
		g.a.SSERR(PMULUDQ, xtmp3, b) // ah*bl
		g.a.SSERR(MOVAPS, xcycle, b)
		g.a.VecShiftI(PSRLQ, xcycle, 32)
		g.a.SSERR(PMULUDQ, xcycle, a) // al*bh
		g.a.SSERR(PADDQ, xtmp3, xcycle)
		g.a.VecShiftI(PSLLQ, xtmp3, 32)
		g.a.SSERR(MOVAPS, d, a)
		g.a.SSERR(PMULUDQ, d, b) // al*bl
		g.a.SSERR(PADDQ, d, xtmp3)
	})
}

// i64x2ShrS: an arithmetic shift is a logical one of the lanes with
// their sign folded in and out: s = 0 > a (pcmpgtq); ((a^s) >> n) ^ s.
func i64x2ShrS(g *gen, in *ir.Instr) error {
	return g.vres(in, func(d Reg) {
		a := g.use(in.Args[0], xtmp1)
		n := g.use(in.Args[1], tmpC)
		g.a.MovRR(false, tmpC, n)
		g.a.ALURI(AND, false, tmpC, 63)
		g.a.MovGX(false, xtmp3, tmpC)
		g.a.SSERR(PXOR, xcycle, xcycle)
		g.a.SSERR(PCMPGTQ, xcycle, a) // sign masks
		g.a.SSERR(MOVAPS, d, a)
		g.a.SSERR(PXOR, d, xcycle)
		g.a.SSERR(PSRLQx, d, xtmp3)
		g.a.SSERR(PXOR, d, xcycle)
	})
}

// i8x16Shift shifts bytes by the count mod 8 (no packed byte shifts):
// shl and shr_u shift words and clear the bits crossing from the
// neighbouring byte with a mask of 0xff shifted the same way; shr_s
// widens each byte to the top of a word (punpck*bw of a with itself),
// shifts it arithmetically by count+8 and packs back (the results fit).
func i8x16Shift(op Shift) rule {
	return func(g *gen, in *ir.Instr) error {
		return g.vres(in, func(d Reg) {
			a := g.use(in.Args[0], xtmp1)
			n := g.use(in.Args[1], tmpC)
			g.a.MovRR(false, tmpC, n)
			g.a.ALURI(AND, false, tmpC, 7)
			if op == SAR {
				g.a.ALURI(ADD, false, tmpC, 8)
				g.a.MovGX(false, xtmp3, tmpC)
				g.a.SSERR(MOVAPS, d, a)
				g.a.SSERR(PUNPCKLBW, d, a)
				g.a.SSERR(PSRAWx, d, xtmp3)
				g.a.SSERR(MOVAPS, xcycle, a)
				g.a.SSERR(PUNPCKHBW, xcycle, a)
				g.a.SSERR(PSRAWx, xcycle, xtmp3)
				g.a.SSERR(PACKSSWB, d, xcycle)
				return
			}
			shift := PSLLWx
			if op == SHR {
				shift = PSRLWx
			}
			g.a.MovGX(false, xtmp3, tmpC)
			g.a.SSERR(MOVAPS, d, a)
			g.a.SSERR(shift, d, xtmp3)
			g.a.MovRI32(tmpA, 0xff)
			g.a.ShiftCL(op, false, tmpA) // the byte mask
			g.a.MovGX(false, xcycle, tmpA)
			g.a.SSERR(PXOR, xtmp3, xtmp3)
			g.a.SSERR(PSHUFB, xcycle, xtmp3) // broadcast byte 0
			g.a.SSERR(PAND, d, xcycle)
		})
	}
}

func vfsign(double bool, op signOp) rule {
	return func(g *gen, in *ir.Instr) error {
		return g.vres(in, func(d Reg) {
			x := g.use(in.Args[0], xtmp1)
			g.allOnes(xtmp3)
			shift, n := PSLLD, byte(31)
			if double {
				shift, n = PSLLQ, 63
			}
			g.a.VecShiftI(shift, xtmp3, n) // sign bits
			g.a.SSERR(MOVAPS, d, x)
			if op == signNeg {
				g.a.SSERR(XORPS, d, xtmp3)
			} else {
				g.a.SSERR(ANDNPS, xtmp3, d)
				g.a.SSERR(MOVAPS, d, xtmp3)
			}
		})
	}
}

func vround(op SSE, mode byte) rule {
	return func(g *gen, in *ir.Instr) error {
		return g.vres(in, func(d Reg) { g.a.SSERRI(op, d, g.use(in.Args[0], xtmp1), mode) })
	}
}

// vminmax applies the scalar min/max sequence to each lane.
func vminmax(double, isMin bool) rule {
	ucom, op, add, bits := minMaxOps(double, isMin)
	size, lanes := Size(4), 4
	if double {
		size, lanes = 8, 2
	}
	return func(g *gen, in *ir.Instr) error {
		return g.lanewise(in, lanes, func(k int, a, b, r func(int32) Mem) {
			off := int32(int(size) * k)
			g.a.LoadXMM(size, xtmp1, a(off))
			g.a.LoadXMM(size, xtmp2, b(off))
			g.emitMinMax(ucom, op, add, bits, xtmp0, xtmp1, xtmp2)
			g.a.StoreXMM(size, r(off), xtmp0)
		})
	}
}

// f32x4ConvertU converts the high and low 16 bits separately (both exact)
// and adds them, rounding once.
func f32x4ConvertU(g *gen, in *ir.Instr) error {
	return g.vres(in, func(d Reg) {
		x := g.use(in.Args[0], xtmp1)
		g.a.SSERR(MOVAPS, xtmp3, x)
		g.a.VecShiftI(PSLLD, xtmp3, 16)
		g.a.VecShiftI(PSRLD, xtmp3, 16)
		g.a.SSERR(CVTDQ2PS, xtmp3, xtmp3)
		g.a.SSERR(MOVAPS, d, x)
		g.a.VecShiftI(PSRLD, d, 16)
		g.a.SSERR(CVTDQ2PS, d, d)
		u := uint64(math.Float32bits(65536))
		g.vecConst(xcycle, u|u<<32, u|u<<32)
		g.a.SSERR(MULPS, d, xcycle)
		g.a.SSERR(ADDPS, d, xtmp3)
	})
}

// f64x2ConvertLowU: interleaving each u32 with 0x43300000 makes the
// float64 2^52+x exactly; subtracting 2^52 leaves x.
func f64x2ConvertLowU(g *gen, in *ir.Instr) error {
	return g.vres(in, func(d Reg) {
		x := g.use(in.Args[0], xtmp1)
		g.vecConst(xtmp3, splat64(0x43300000, 4), splat64(0x43300000, 4))
		g.a.SSERR(MOVAPS, d, x)
		g.a.SSERR(PUNPCKLDQ, d, xtmp3)
		g.vecConst(xtmp3, 0x4330000000000000, 0x4330000000000000)
		g.a.SSERR(SUBPD, d, xtmp3)
	})
}

// vtruncSat applies the scalar saturating truncation to each lane; the
// f64x2 forms zero the upper two result lanes.
func vtruncSat(double bool, to intRange) rule {
	size, lanes := Size(4), 4
	if double {
		size, lanes = 8, 2
	}
	return func(g *gen, in *ir.Instr) error {
		if double {
			g.a.StoreImm32(true, M(RSP, g.vecOff+40), 0)
		}
		return g.lanewise(in, lanes, func(k int, a, _, r func(int32) Mem) {
			g.a.LoadXMM(size, xtmp1, a(int32(int(size)*k)))
			g.emitTruncate(double, to, true, tmpA, xtmp1)
			g.a.Store(4, r(int32(4*k)), tmpA)
		})
	}
}
