// Stack switching between Go and native code on AArch64; see
// docs/runtime.md and switch_amd64.s. Native routines follow AAPCS64 and
// run on a native stack. R28 (g) and R18 are never touched; scratch
// registers are R9-R11 (caller-saved temporaries, not argument registers).

#include "textflag.h"
#include "thread.h"

// Size of the callee-saved area an exit pushes: x19-x27, x29, lr, d8-d15.
#define SAVED 160

// func callNative(ts uintptr)
TEXT ·callNative(SB), NOSPLIT|NOFRAME, $0-8
	MOVD	ts+0(FP), R10
	MOVD	RSP, R11
	MOVD	R11, TS_GOSP(R10)
	MOVD	R29, TS_GOFP(R10)
	MOVD	R30, TS_GOLR(R10)
	MOVD	TS_NATIVESP(R10), R11
	MOVD	R11, RSP
	MOVD	TS_CALLVMCTX(R10), R0
	MOVD	TS_CALLFN(R10), R1
	MOVD	TS_CALLSLOTS(R10), R2
	MOVD	TS_CALLTRAMP(R10), R11
	CALL	(R11)
	MOVD	RSP, R10
	AND	STACK_MASK, R10
	MOVD	ZR, TS_EXIT(R10)
	MOVD	TS_GOSP(R10), R11
	MOVD	R11, RSP
	MOVD	TS_GOFP(R10), R29
	MOVD	TS_GOLR(R10), R30
	RET

// func resumeNative(ts uintptr)
TEXT ·resumeNative(SB), NOSPLIT|NOFRAME, $0-8
	MOVD	ts+0(FP), R10
	MOVD	RSP, R11
	MOVD	R11, TS_GOSP(R10)
	MOVD	R29, TS_GOFP(R10)
	MOVD	R30, TS_GOLR(R10)
	MOVD	TS_NATIVESP(R10), R11
	MOVD	R11, RSP
	LDP	0(RSP), (R19, R20)
	LDP	16(RSP), (R21, R22)
	LDP	32(RSP), (R23, R24)
	LDP	48(RSP), (R25, R26)
	LDP	64(RSP), (R27, R29)
	MOVD	80(RSP), R30
	FLDPD	96(RSP), (F8, F9)
	FLDPD	112(RSP), (F10, F11)
	FLDPD	128(RSP), (F12, F13)
	FLDPD	144(RSP), (F14, F15)
	ADD	$SAVED, RSP, RSP
	MOVD	TS_RET(R10), R0
	// Branch rather than RET, for the return-address predictor; see
	// exitCommon in switch_amd64.s.
	JMP	(R30)

// exitCommon is branched to by every builtin stub with R9 = builtin+1 and
// the builtin's arguments in R0-R5.
TEXT exitCommon<>(SB), NOSPLIT|NOFRAME, $0-0
	SUB	$SAVED, RSP, RSP
	STP	(R19, R20), 0(RSP)
	STP	(R21, R22), 16(RSP)
	STP	(R23, R24), 32(RSP)
	STP	(R25, R26), 48(RSP)
	STP	(R27, R29), 64(RSP)
	MOVD	R30, 80(RSP)
	FSTPD	(F8, F9), 96(RSP)
	FSTPD	(F10, F11), 112(RSP)
	FSTPD	(F12, F13), 128(RSP)
	FSTPD	(F14, F15), 144(RSP)
	MOVD	RSP, R10
	AND	STACK_MASK, R10
	MOVD	RSP, R11
	MOVD	R11, TS_NATIVESP(R10)
	MOVD	R9, TS_EXIT(R10)
	MOVD	R0, (TS_ARGS+0)(R10)
	MOVD	R1, (TS_ARGS+8)(R10)
	MOVD	R2, (TS_ARGS+16)(R10)
	MOVD	R3, (TS_ARGS+24)(R10)
	MOVD	R4, (TS_ARGS+32)(R10)
	MOVD	R5, (TS_ARGS+40)(R10)
	MOVD	TS_GOSP(R10), R11
	MOVD	R11, RSP
	MOVD	TS_GOFP(R10), R29
	MOVD	TS_GOLR(R10), R30
	JMP	(R30)

#define STUB(name, n) \
TEXT name(SB), NOSPLIT|NOFRAME, $0-0; \
	MOVD	$n, R9; \
	B	exitCommon<>(SB)

STUB(·stubTrap, 1)
STUB(·stubHostCall, 2)
STUB(·stubYield, 3)
STUB(·stubMemoryGrow, 4)
STUB(·stubMemoryFill, 5)
STUB(·stubMemoryCopy, 6)
STUB(·stubMemoryInit, 7)
STUB(·stubDataDrop, 8)
STUB(·stubTableGrow, 9)
STUB(·stubTableFill, 10)
STUB(·stubTableCopy, 11)
STUB(·stubTableInit, 12)
STUB(·stubElemDrop, 13)

// nativeMemmove is memmove(dst R0, src R1, n R2) and memcpy.
TEXT ·nativeMemmove(SB), NOSPLIT|NOFRAME, $0-0
	MOVD	R0, R3
	CMP	R1, R0
	BLS	forward
	ADD	R1, R2, R4
	CMP	R4, R0
	BHS	forward
	ADD	R0, R2, R5
backward:
	CBZ	R2, done
	MOVBU.W	-1(R4), R6
	MOVB.W	R6, -1(R5)
	SUB	$1, R2
	B	backward
forward:
	CBZ	R2, done
	MOVBU.P	1(R1), R6
	MOVB.P	R6, 1(R3)
	SUB	$1, R2
	B	forward
done:
	RET

// nativeMemset is memset(dst R0, c R1, n R2).
TEXT ·nativeMemset(SB), NOSPLIT|NOFRAME, $0-0
	MOVD	R0, R3
loop:
	CBZ	R2, done
	MOVB.P	R1, 1(R3)
	SUB	$1, R2
	B	loop
done:
	RET

// func flushICacheRange(start, end uintptr)
// Cleans the data cache and invalidates the instruction cache for
// [start, end) to the point of unification, with the line sizes of CTR_EL0.
TEXT ·flushICacheRange(SB), NOSPLIT, $0-16
	MOVD	start+0(FP), R0
	MOVD	end+8(FP), R1
	WORD	$0xd53b0022 // mrs x2, ctr_el0
	UBFX	$16, R2, $4, R3
	MOVD	$4, R4
	LSL	R3, R4, R6 // data cache line
	AND	$15, R2, R3
	LSL	R3, R4, R7 // instruction cache line
	SUB	$1, R6, R8
	BIC	R8, R0, R5
dloop:
	CMP	R1, R5
	BHS	ddone
	WORD	$0xd50b7b25 // dc cvau, x5
	ADD	R6, R5
	B	dloop
ddone:
	WORD	$0xd5033b9f // dsb ish
	SUB	$1, R7, R8
	BIC	R8, R0, R5
iloop:
	CMP	R1, R5
	BHS	idone
	WORD	$0xd50b7525 // ic ivau, x5
	ADD	R7, R5
	B	iloop
idone:
	WORD	$0xd5033b9f // dsb ish
	WORD	$0xd5033fdf // isb
	RET

// func nativeAddrs(out *[numNativeAddrs]uintptr)
TEXT ·nativeAddrs(SB), NOSPLIT, $0-8
	MOVD	out+0(FP), R0
	MOVD	$·stubTrap(SB), R1
	MOVD	R1, 0(R0)
	MOVD	$·stubHostCall(SB), R1
	MOVD	R1, 8(R0)
	MOVD	$·stubYield(SB), R1
	MOVD	R1, 16(R0)
	MOVD	$·stubMemoryGrow(SB), R1
	MOVD	R1, 24(R0)
	MOVD	$·stubMemoryFill(SB), R1
	MOVD	R1, 32(R0)
	MOVD	$·stubMemoryCopy(SB), R1
	MOVD	R1, 40(R0)
	MOVD	$·stubMemoryInit(SB), R1
	MOVD	R1, 48(R0)
	MOVD	$·stubDataDrop(SB), R1
	MOVD	R1, 56(R0)
	MOVD	$·stubTableGrow(SB), R1
	MOVD	R1, 64(R0)
	MOVD	$·stubTableFill(SB), R1
	MOVD	R1, 72(R0)
	MOVD	$·stubTableCopy(SB), R1
	MOVD	R1, 80(R0)
	MOVD	$·stubTableInit(SB), R1
	MOVD	R1, 88(R0)
	MOVD	$·stubElemDrop(SB), R1
	MOVD	R1, 96(R0)
	MOVD	$·nativeMemmove(SB), R1
	MOVD	R1, 104(R0)
	MOVD	$·nativeMemset(SB), R1
	MOVD	R1, 112(R0)
	RET
