package arm64

import (
	"bytes"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/arch/arm64/arm64asm"
)

// encodeCase is one instruction form: how the encoder emits it and its
// text in LLVM's assembler syntax, which is what llvm-mc must assemble to
// the same bytes and (normalised) what arm64asm must decode them as.
type encodeCase struct {
	text string
	emit func(a *Asm)
}

const (
	V1  = V0 + 1
	V2  = V0 + 2
	V3  = V0 + 3
	V17 = V0 + 17
	V31 = V0 + 31
)

// encodeCases covers every method of Asm with 32- and 64-bit operands, SP
// and ZR where a form takes them, every immediate range boundary, and
// registers above 15 in every field.
var encodeCases = []encodeCase{
	{"add sp, sp, #16", func(a *Asm) { a.AddImm(ADD, true, SP, SP, 16) }},
	{"sub x0, x1, #4095", func(a *Asm) { a.AddImm(SUB, true, X0, X1, 4095) }},
	{"add w3, w4, #1, lsl #12", func(a *Asm) { a.AddImm(ADD, false, X3, X4, 4096) }},
	{"sub sp, sp, #4080, lsl #12", func(a *Asm) { a.AddImm(SUB, true, SP, SP, 4080<<12) }},
	{"cmp x20, #7", func(a *Asm) { a.AddImm(SUBS, true, ZR, X20, 7) }},
	{"cmn w5, #1", func(a *Asm) { a.AddImm(ADDS, false, ZR, X5, 1) }},
	{"adds x1, x2, #3", func(a *Asm) { a.AddImm(ADDS, true, X1, X2, 3) }},
	{"mov x29, sp", func(a *Asm) { a.MovSP(FP, SP) }},
	{"mov sp, x16", func(a *Asm) { a.MovSP(SP, X16) }},
	{"and x0, x1, #0xff", func(a *Asm) { a.LogicImm(AND, true, X0, X1, 0xff) }},
	{"and w2, w3, #0x80000000", func(a *Asm) { a.LogicImm(AND, false, X2, X3, 0x80000000) }},
	{"orr x4, xzr, #0x5555555555555555", func(a *Asm) { a.LogicImm(ORR, true, X4, ZR, 0x5555555555555555) }},
	{"eor w6, w7, #0xfffffffe", func(a *Asm) { a.LogicImm(EOR, false, X6, X7, 0xfffffffe) }},
	{"ands x8, x9, #0xf0f0f0f0f0f0f0f0", func(a *Asm) { a.LogicImm(ANDS, true, X8, X9, 0xf0f0f0f0f0f0f0f0) }},
	{"and x10, x11, #0x7fffffffffffffff", func(a *Asm) { a.LogicImm(AND, true, X10, X11, 0x7fffffffffffffff) }},
	{"tst w12, #0x1f", func(a *Asm) { a.LogicImm(ANDS, false, ZR, X12, 0x1f) }},
	{"and sp, x1, #0xfffffffffffffff0", func(a *Asm) { a.LogicImm(AND, true, SP, X1, 0xfffffffffffffff0) }},
	{"movz x3, #0x1234, lsl #16", func(a *Asm) { a.MovWide(MOVZ, true, X3, 0x1234, 16) }},
	{"movz w3, #0xffff", func(a *Asm) { a.MovWide(MOVZ, false, X3, 0xffff, 0) }},
	{"movn x27, #0x0", func(a *Asm) { a.MovWide(MOVN, true, X27, 0, 0) }},
	{"movk x5, #0xbeef, lsl #48", func(a *Asm) { a.MovWide(MOVK, true, X5, 0xbeef, 48) }},
	{"movk w5, #0x8000, lsl #16", func(a *Asm) { a.MovWide(MOVK, false, X5, 0x8000, 16) }},
	{"sbfm x0, x1, #3, #7", func(a *Asm) { a.BitfieldImm(SBFM, true, X0, X1, 3, 7) }},
	{"bfm w2, w3, #31, #0", func(a *Asm) { a.BitfieldImm(BFM, false, X2, X3, 31, 0) }},
	{"lsl x0, x1, #3", func(a *Asm) { a.LslImm(true, X0, X1, 3) }},
	{"lsl w0, w1, #31", func(a *Asm) { a.LslImm(false, X0, X1, 31) }},
	{"lsr x2, x3, #63", func(a *Asm) { a.LsrImm(true, X2, X3, 63) }},
	{"lsr w2, w3, #1", func(a *Asm) { a.LsrImm(false, X2, X3, 1) }},
	{"asr x4, x5, #17", func(a *Asm) { a.AsrImm(true, X4, X5, 17) }},
	{"asr w4, w5, #31", func(a *Asm) { a.AsrImm(false, X4, X5, 31) }},
	{"ror x6, x7, #9", func(a *Asm) { a.RorImm(true, X6, X7, 9) }},
	{"ror w6, w7, #31", func(a *Asm) { a.RorImm(false, X6, X7, 31) }},
	{"sxtb w0, w1", func(a *Asm) { a.Extend(true, false, X0, X1, 1) }},
	{"sxtb x0, w1", func(a *Asm) { a.Extend(true, true, X0, X1, 1) }},
	{"sxth w2, w3", func(a *Asm) { a.Extend(true, false, X2, X3, 2) }},
	{"sxth x2, w3", func(a *Asm) { a.Extend(true, true, X2, X3, 2) }},
	{"sxtw x4, w5", func(a *Asm) { a.Extend(true, true, X4, X5, 4) }},
	{"uxtb w6, w7", func(a *Asm) { a.Extend(false, false, X6, X7, 1) }},
	{"uxth w8, w9", func(a *Asm) { a.Extend(false, true, X8, X9, 2) }},
	{"adr x0, #-4", func(a *Asm) { a.Adr(X0, -4) }},
	{"adr x30, #1048575", func(a *Asm) { a.Adr(LR, 1<<20-1) }},
	{"adrp x16, #0", func(a *Asm) { a.Adrp(X16) }},
	{"add x0, x1, x2", func(a *Asm) { a.AddSub(ADD, true, X0, X1, X2, LSL, 0) }},
	{"sub w3, w4, w5, lsl #2", func(a *Asm) { a.AddSub(SUB, false, X3, X4, X5, LSL, 2) }},
	{"adds x6, x7, x8, lsr #63", func(a *Asm) { a.AddSub(ADDS, true, X6, X7, X8, LSR, 63) }},
	{"cmp w1, w2", func(a *Asm) { a.AddSub(SUBS, false, ZR, X1, X2, LSL, 0) }},
	{"cmp x30, x27, asr #1", func(a *Asm) { a.AddSub(SUBS, true, ZR, LR, X27, ASR, 1) }},
	{"neg w9, w10", func(a *Asm) { a.AddSub(SUB, false, X9, ZR, X10, LSL, 0) }},
	{"add sp, sp, x16", func(a *Asm) { a.AddExt(ADD, true, SP, SP, X16, UXTX, 0) }},
	{"sub x0, sp, w1, uxtw", func(a *Asm) { a.AddExt(SUB, true, X0, SP, X1, UXTW, 0) }},
	{"add x2, x3, w4, sxtw #3", func(a *Asm) { a.AddExt(ADD, true, X2, X3, X4, SXTW, 3) }},
	{"cmp sp, x17", func(a *Asm) { a.AddExt(SUBS, true, ZR, SP, X17, UXTX, 0) }},
	{"and x0, x1, x2", func(a *Asm) { a.LogicReg(AND, false, true, X0, X1, X2, LSL, 0) }},
	{"orr w3, w4, w5, lsl #7", func(a *Asm) { a.LogicReg(ORR, false, false, X3, X4, X5, LSL, 7) }},
	{"eor x6, x7, x8, ror #3", func(a *Asm) { a.LogicReg(EOR, false, true, X6, X7, X8, ROR, 3) }},
	{"ands w9, w10, w11", func(a *Asm) { a.LogicReg(ANDS, false, false, X9, X10, X11, LSL, 0) }},
	{"bic x12, x13, x14", func(a *Asm) { a.LogicReg(AND, true, true, X12, X13, X14, LSL, 0) }},
	{"orn w15, w16, w17", func(a *Asm) { a.LogicReg(ORR, true, false, X15, X16, X17, LSL, 0) }},
	{"mvn x19, x20", func(a *Asm) { a.LogicReg(ORR, true, true, X19, ZR, X20, LSL, 0) }},
	{"tst x21, x22", func(a *Asm) { a.LogicReg(ANDS, false, true, ZR, X21, X22, LSL, 0) }},
	{"mov x0, x1", func(a *Asm) { a.Mov(true, X0, X1) }},
	{"mov w23, w24", func(a *Asm) { a.Mov(false, X23, X24) }},
	{"mov x25, xzr", func(a *Asm) { a.Mov(true, X25, ZR) }},
	{"csel x0, x1, x2, eq", func(a *Asm) { a.CondSelect(CSEL, true, X0, X1, X2, EQ) }},
	{"csel w3, w4, w5, lo", func(a *Asm) { a.CondSelect(CSEL, false, X3, X4, X5, LO) }},
	{"csinc x6, x7, x8, hi", func(a *Asm) { a.CondSelect(CSINC, true, X6, X7, X8, HI) }},
	{"csinv w9, w10, w11, ge", func(a *Asm) { a.CondSelect(CSINV, false, X9, X10, X11, GE) }},
	{"csneg x12, x13, x14, lt", func(a *Asm) { a.CondSelect(CSNEG, true, X12, X13, X14, LT) }},
	{"cset w0, eq", func(a *Asm) { a.Cset(false, X0, EQ) }},
	{"cset x1, vs", func(a *Asm) { a.Cset(true, X1, VS) }},
	{"cset w2, le", func(a *Asm) { a.Cset(false, X2, LE) }},
	{"udiv w0, w1, w2", func(a *Asm) { a.DataProc2(UDIV, false, X0, X1, X2) }},
	{"sdiv x3, x4, x5", func(a *Asm) { a.DataProc2(SDIV, true, X3, X4, X5) }},
	{"lsl w6, w7, w8", func(a *Asm) { a.DataProc2(LSLV, false, X6, X7, X8) }},
	{"lsr x9, x10, x11", func(a *Asm) { a.DataProc2(LSRV, true, X9, X10, X11) }},
	{"asr w12, w13, w14", func(a *Asm) { a.DataProc2(ASRV, false, X12, X13, X14) }},
	{"ror x15, x16, x17", func(a *Asm) { a.DataProc2(RORV, true, X15, X16, X17) }},
	{"rbit w0, w1", func(a *Asm) { a.DataProc1(RBIT, false, X0, X1) }},
	{"rbit x0, x1", func(a *Asm) { a.DataProc1(RBIT, true, X0, X1) }},
	{"clz w2, w3", func(a *Asm) { a.DataProc1(CLZ, false, X2, X3) }},
	{"clz x2, x3", func(a *Asm) { a.DataProc1(CLZ, true, X2, X3) }},
	{"cls x4, x5", func(a *Asm) { a.DataProc1(CLS, true, X4, X5) }},
	{"rev w6, w7", func(a *Asm) { a.DataProc1(REV, false, X6, X7) }},
	{"rev x6, x7", func(a *Asm) { a.DataProc1(REV, true, X6, X7) }},
	{"rev16 w8, w9", func(a *Asm) { a.DataProc1(REV16, false, X8, X9) }},
	{"madd x0, x1, x2, x3", func(a *Asm) { a.Madd(true, X0, X1, X2, X3) }},
	{"msub w4, w5, w6, w7", func(a *Asm) { a.Msub(false, X4, X5, X6, X7) }},
	{"mul w8, w9, w10", func(a *Asm) { a.Mul(false, X8, X9, X10) }},
	{"mul x8, x9, x10", func(a *Asm) { a.Mul(true, X8, X9, X10) }},
	{"umulh x11, x12, x13", func(a *Asm) { a.Umulh(X11, X12, X13) }},
	{"ccmp x0, x1, #4, ne", func(a *Asm) { a.Ccmp(true, X0, X1, 4, NE) }},
	{"ccmp w2, w3, #0, hs", func(a *Asm) { a.Ccmp(false, X2, X3, 0, HS) }},
	{"ldr x0, [x1, #16]", func(a *Asm) { a.LoadStore(LoadZX, 8, X0, M(X1, 16)) }},
	{"ldr x0, [x1, #32760]", func(a *Asm) { a.LoadStore(LoadZX, 8, X0, M(X1, 32760)) }},
	{"ldur x0, [x1, #-8]", func(a *Asm) { a.LoadStore(LoadZX, 8, X0, M(X1, -8)) }},
	{"ldur x0, [x1, #255]", func(a *Asm) { a.LoadStore(LoadZX, 8, X0, M(X1, 255)) }},
	{"ldr w2, [sp]", func(a *Asm) { a.LoadStore(LoadZX, 4, X2, M(SP, 0)) }},
	{"ldrh w3, [x4, #8190]", func(a *Asm) { a.LoadStore(LoadZX, 2, X3, M(X4, 8190)) }},
	{"ldrb w5, [x6, #4095]", func(a *Asm) { a.LoadStore(LoadZX, 1, X5, M(X6, 4095)) }},
	{"ldrsb x7, [x8]", func(a *Asm) { a.LoadStore(LoadSX64, 1, X7, M(X8, 0)) }},
	{"ldrsb w7, [x8, #1]", func(a *Asm) { a.LoadStore(LoadSX32, 1, X7, M(X8, 1)) }},
	{"ldrsh x9, [x10, #2]", func(a *Asm) { a.LoadStore(LoadSX64, 2, X9, M(X10, 2)) }},
	{"ldrsh w9, [x10]", func(a *Asm) { a.LoadStore(LoadSX32, 2, X9, M(X10, 0)) }},
	{"ldrsw x11, [x12, #4]", func(a *Asm) { a.LoadStore(LoadSX64, 4, X11, M(X12, 4)) }},
	{"ldursw x11, [x12, #-4]", func(a *Asm) { a.LoadStore(LoadSX64, 4, X11, M(X12, -4)) }},
	{"str x13, [sp, #8]", func(a *Asm) { a.LoadStore(Store, 8, X13, M(SP, 8)) }},
	{"str w14, [x15, #12]", func(a *Asm) { a.LoadStore(Store, 4, X14, M(X15, 12)) }},
	{"strh w16, [x17, #6]", func(a *Asm) { a.LoadStore(Store, 2, X16, M(X17, 6)) }},
	{"strb wzr, [x19]", func(a *Asm) { a.LoadStore(Store, 1, ZR, M(X19, 0)) }},
	{"stur w20, [x21, #-256]", func(a *Asm) { a.LoadStore(Store, 4, X20, M(X21, -256)) }},
	{"ldr w0, [x1, w2, uxtw]", func(a *Asm) { a.LoadStore(LoadZX, 4, X0, MX(X1, X2, UXTW, false)) }},
	{"ldr x3, [x4, x5]", func(a *Asm) { a.LoadStore(LoadZX, 8, X3, MX(X4, X5, UXTX, false)) }},
	{"ldr x3, [x4, x5, lsl #3]", func(a *Asm) { a.LoadStore(LoadZX, 8, X3, MX(X4, X5, UXTX, true)) }},
	{"ldrb w6, [x7, x8]", func(a *Asm) { a.LoadStore(LoadZX, 1, X6, MX(X7, X8, UXTX, false)) }},
	{"ldrsh x9, [x10, w11, sxtw]", func(a *Asm) { a.LoadStore(LoadSX64, 2, X9, MX(X10, X11, SXTW, false)) }},
	{"strh w12, [x13, w14, uxtw]", func(a *Asm) { a.LoadStore(Store, 2, X12, MX(X13, X14, UXTW, false)) }},
	{"str q0, [sp, #32]", func(a *Asm) { a.LoadStore(Store, 16, V0, M(SP, 32)) }},
	{"ldr q31, [x1, #65520]", func(a *Asm) { a.LoadStore(LoadZX, 16, V31, M(X1, 65520)) }},
	{"ldur q1, [x2, #-16]", func(a *Asm) { a.LoadStore(LoadZX, 16, V1, M(X2, -16)) }},
	{"ldr d2, [x3, #8]", func(a *Asm) { a.LoadStore(LoadZX, 8, V2, M(X3, 8)) }},
	{"str s3, [x4, #4]", func(a *Asm) { a.LoadStore(Store, 4, V3, M(X4, 4)) }},
	{"ldr h17, [x5, #2]", func(a *Asm) { a.LoadStore(LoadZX, 2, V17, M(X5, 2)) }},
	{"str b1, [x6, #1]", func(a *Asm) { a.LoadStore(Store, 1, V1, M(X6, 1)) }},
	{"ldr q2, [x7, w8, uxtw]", func(a *Asm) { a.LoadStore(LoadZX, 16, V2, MX(X7, X8, UXTW, false)) }},
	{"str d3, [x9, x10]", func(a *Asm) { a.LoadStore(Store, 8, V3, MX(X9, X10, UXTX, false)) }},
	{"ldr x0, [x1], #8", func(a *Asm) { a.LoadStoreIndex(LoadZX, 8, X0, X1, 8, false) }},
	{"str x2, [sp, #-16]!", func(a *Asm) { a.LoadStoreIndex(Store, 8, X2, SP, -16, true) }},
	{"str q3, [x4, #-32]!", func(a *Asm) { a.LoadStoreIndex(Store, 16, V3, X4, -32, true) }},
	{"stp x29, x30, [sp, #-16]!", func(a *Asm) { a.Pair(false, 8, FP, LR, SP, -16, PairPre) }},
	{"ldp x29, x30, [sp], #16", func(a *Asm) { a.Pair(true, 8, FP, LR, SP, 16, PairPost) }},
	{"stp x19, x20, [sp, #504]", func(a *Asm) { a.Pair(false, 8, X19, X20, SP, 504, PairOffset) }},
	{"ldp x21, x22, [x29, #-512]", func(a *Asm) { a.Pair(true, 8, X21, X22, FP, -512, PairOffset) }},
	{"stp w1, w2, [x3, #4]", func(a *Asm) { a.Pair(false, 4, X1, X2, X3, 4, PairOffset) }},
	{"stp d8, d9, [sp, #16]", func(a *Asm) { a.Pair(false, 8, V0+8, V0+9, SP, 16, PairOffset) }},
	{"ldp d14, d15, [sp, #-64]", func(a *Asm) { a.Pair(true, 8, V0+14, V0+15, SP, -64, PairOffset) }},
	{"stp q0, q1, [sp, #-32]!", func(a *Asm) { a.Pair(false, 16, V0, V1, SP, -32, PairPre) }},
	{"br x16", func(a *Asm) { a.Br(X16) }},
	{"blr x17", func(a *Asm) { a.Blr(X17) }},
	{"ret", func(a *Asm) { a.Ret() }},
	{"brk #0x3e8", func(a *Asm) { a.Brk(1000) }},
	{"nop", func(a *Asm) { a.Nop() }},
	{"fmul s0, s1, s2", func(a *Asm) { a.FPOp2(FMUL, false, V0, V1, V2) }},
	{"fdiv d3, d17, d31", func(a *Asm) { a.FPOp2(FDIV, true, V3, V17, V31) }},
	{"fadd d1, d2, d3", func(a *Asm) { a.FPOp2(FADD, true, V1, V2, V3) }},
	{"fsub s1, s2, s3", func(a *Asm) { a.FPOp2(FSUB, false, V1, V2, V3) }},
	{"fmax d1, d2, d3", func(a *Asm) { a.FPOp2(FMAX, true, V1, V2, V3) }},
	{"fmin s1, s2, s3", func(a *Asm) { a.FPOp2(FMIN, false, V1, V2, V3) }},
	{"fmaxnm d1, d2, d3", func(a *Asm) { a.FPOp2(FMAXNM, true, V1, V2, V3) }},
	{"fminnm s1, s2, s3", func(a *Asm) { a.FPOp2(FMINNM, false, V1, V2, V3) }},
	{"fmov s0, s1", func(a *Asm) { a.FPOp1(FMOV, false, V0, V1) }},
	{"fmov d0, d1", func(a *Asm) { a.FPOp1(FMOV, true, V0, V1) }},
	{"fabs d2, d3", func(a *Asm) { a.FPOp1(FABS, true, V2, V3) }},
	{"fneg s4, s5", func(a *Asm) { a.FPOp1(FNEG, false, V0+4, V0+5) }},
	{"fsqrt d6, d7", func(a *Asm) { a.FPOp1(FSQRT, true, V0+6, V0+7) }},
	{"fcvt s8, d9", func(a *Asm) { a.FPOp1(FCVT, true, V0+8, V0+9) }},
	{"fcvt d10, s11", func(a *Asm) { a.FPOp1(FCVT, false, V0+10, V0+11) }},
	{"frintn s12, s13", func(a *Asm) { a.FPOp1(FRINTN, false, V0+12, V0+13) }},
	{"frintp d14, d15", func(a *Asm) { a.FPOp1(FRINTP, true, V0+14, V0+15) }},
	{"frintm s16, s17", func(a *Asm) { a.FPOp1(FRINTM, false, V0+16, V17) }},
	{"frintz d18, d19", func(a *Asm) { a.FPOp1(FRINTZ, true, V0+18, V0+19) }},
	{"fcmp d0, d1", func(a *Asm) { a.Fcmp(true, V0, V1) }},
	{"fcmp s2, s3", func(a *Asm) { a.Fcmp(false, V2, V3) }},
	{"fcmp d0, #0.0", func(a *Asm) { a.Fcmp(true, V0, ZR) }},
	{"fcsel d0, d1, d2, mi", func(a *Asm) { a.Fcsel(true, V0, V1, V2, MI) }},
	{"fcsel s3, s17, s31, gt", func(a *Asm) { a.Fcsel(false, V3, V17, V31, GT) }},
	{"fcvtzs w0, s1", func(a *Asm) { a.FPConvert(FCVTZS, false, false, X0, V1) }},
	{"fcvtzs x0, d1", func(a *Asm) { a.FPConvert(FCVTZS, true, true, X0, V1) }},
	{"fcvtzu w2, d3", func(a *Asm) { a.FPConvert(FCVTZU, false, true, X2, V3) }},
	{"fcvtzu x2, s3", func(a *Asm) { a.FPConvert(FCVTZU, true, false, X2, V3) }},
	{"scvtf s4, w5", func(a *Asm) { a.FPConvert(SCVTF, false, false, V0+4, X5) }},
	{"scvtf d4, x5", func(a *Asm) { a.FPConvert(SCVTF, true, true, V0+4, X5) }},
	{"ucvtf d6, w7", func(a *Asm) { a.FPConvert(UCVTF, false, true, V0+6, X7) }},
	{"ucvtf s6, x7", func(a *Asm) { a.FPConvert(UCVTF, true, false, V0+6, X7) }},
	{"fmov w8, s9", func(a *Asm) { a.FPConvert(FMOVtoGP, false, false, X8, V0+9) }},
	{"fmov x10, d11", func(a *Asm) { a.FPConvert(FMOVtoGP, true, true, X10, V0+11) }},
	{"fmov s12, w13", func(a *Asm) { a.FPConvert(FMOVtoFP, false, false, V0+12, X13) }},
	{"fmov d2, x3", func(a *Asm) { a.FPConvert(FMOVtoFP, true, true, V2, X3) }},
	{"cnt v31.8b, v30.8b", func(a *Asm) { a.Cnt8B(V31, V0+30) }},
	{"addv b1, v2.8b", func(a *Asm) { a.Addv8B(V1, V2) }},
	{"mov v3.16b, v17.16b", func(a *Asm) { a.MovV(V3, V17) }},
}

func (c encodeCase) bytes() []byte {
	var a Asm
	c.emit(&a)
	lay, err := a.Finish()
	if err != nil {
		panic(err)
	}
	return lay.Code
}

func TestEncodeDecodes(t *testing.T) {
	for _, c := range encodeCases {
		code := c.bytes()
		if len(code) != 4 {
			t.Errorf("%s: %d bytes", c.text, len(code))
			continue
		}
		inst, err := arm64asm.Decode(code)
		if err != nil {
			t.Errorf("%s: %08x does not decode: %v", c.text, binary.LittleEndian.Uint32(code), err)
			continue
		}
		want := c.text
		if d, ok := decodedAs[c.text]; ok {
			want = d
		}
		if got := arm64asm.GNUSyntax(inst); normalise(got) != normalise(want) {
			t.Errorf("%08x decodes as %q, want %q", binary.LittleEndian.Uint32(code), got, c.text)
		}
	}
}

// TestEncodeMatchesLLVM assembles the expected texts with llvm-mc and
// requires the encoder's bytes to be exactly LLVM's.
func TestEncodeMatchesLLVM(t *testing.T) {
	mc := findLLVMMC()
	if mc == "" {
		t.Skip("llvm-mc (package llvm-14) is not installed, so the encodings cannot be compared with LLVM's")
	}
	var src strings.Builder
	for _, c := range encodeCases {
		src.WriteString(c.text + "\n")
	}
	encs := assemble(t, mc, src.String())
	if len(encs) != len(encodeCases) {
		t.Fatalf("llvm-mc printed %d encodings for %d forms", len(encs), len(encodeCases))
	}
	for i, c := range encodeCases {
		if got := c.bytes(); !bytes.Equal(got, encs[i]) {
			t.Errorf("%s: encoder % x, llvm-mc % x", c.text, got, encs[i])
		}
	}
}

func assemble(t *testing.T, mc, src string) [][]byte {
	t.Helper()
	path := filepath.Join(t.TempDir(), "forms.s")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(mc, "-triple=aarch64", "-mattr=+neon,+fp-armv8", "-show-encoding", path).CombinedOutput()
	if err != nil {
		t.Fatalf("llvm-mc: %v\n%s", err, out)
	}
	return parseEncodings(t, string(out))
}

var encodingLine = regexp.MustCompile(`// encoding: \[([^\]]*)\]`)

func parseEncodings(t *testing.T, out string) [][]byte {
	var encs [][]byte
	for _, m := range encodingLine.FindAllStringSubmatch(out, -1) {
		var b []byte
		for _, f := range strings.Split(m[1], ",") {
			v, err := strconv.ParseUint(strings.TrimSpace(f), 0, 8)
			if err != nil {
				t.Fatalf("llvm-mc encoding %q: %v", m[1], err)
			}
			b = append(b, byte(v))
		}
		encs = append(encs, b)
	}
	return encs
}

func findLLVMMC() string {
	for _, name := range []string{"llvm-mc-14", "llvm-mc"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// decodedAs is arm64asm's spelling of forms it prints as a different
// alias than LLVM's assembler syntax (same encoding).
var decodedAs = map[string]string{
	"orr x4, xzr, #0x5555555555555555": "mov x4, #0x5555555555555555",
	"movz x3, #0x1234, lsl #16":        "mov x3, #0x12340000",
	"movn x27, #0x0":                   "mov x27, #-1",
	"movz w3, #0xffff":                 "mov w3, #0xffff",
	"sbfm x0, x1, #3, #7":              "sbfx x0, x1, #3, #5",
	"bfm w2, w3, #31, #0":              "bfi w2, w3, #1, #1",
}

// aliases maps LLVM's preferred spelling to arm64asm's where the two
// disassemblers choose different aliases of one encoding.
var aliases = strings.NewReplacer(
	"#0.0", "#0",
	".+", "#",
	",cc", ",lo",
	",cs", ",hs",
)

// normalise makes arm64asm's and LLVM's spellings comparable: lower case,
// no spaces, hexadecimal and decimal immediates as one number.
func normalise(s string) string {
	s = strings.ReplaceAll(strings.ToLower(s), " ", "")
	s = aliases.Replace(s)
	return immediate.ReplaceAllStringFunc(s, func(m string) string {
		if v, err := strconv.ParseInt(m[1:], 0, 64); err == nil {
			return "#" + strconv.FormatInt(v, 10)
		}
		if u, err := strconv.ParseUint(m[1:], 0, 64); err == nil {
			return "#" + strconv.FormatInt(int64(u), 10) // a wrapped pc-relative offset
		}
		return m
	})
}

var immediate = regexp.MustCompile(`#-?(0x[0-9a-f]+|[0-9]+)`)

func TestCondInvert(t *testing.T) {
	for _, p := range [][2]Cond{{EQ, NE}, {HS, LO}, {MI, PL}, {VS, VC}, {HI, LS}, {GE, LT}, {GT, LE}} {
		if p[0].Invert() != p[1] || p[1].Invert() != p[0] {
			t.Errorf("%v and %v are not each other's inverse", p[0], p[1])
		}
	}
	if X12.String() != "x12" || (V0+7).String() != "v7" || SP.String() != "sp" {
		t.Errorf("register names: %v %v %v", X12, V0+7, SP)
	}
}
