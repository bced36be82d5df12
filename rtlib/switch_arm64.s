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

// nativeMemmove is memmove(dst R0, src R1, n R2) and memcpy, returning
// dst. Each size class loads every byte it moves before storing any, so
// overlapping ranges are safe: up to 16 bytes as overlapping head and tail
// words; larger copies move 16-byte blocks, from the start up with the
// last block loaded first, or from the end down with the first block
// loaded first when dst lies inside (src, src+n). Uses only R0-R11, which
// the AAPCS64 caller saves (never R18 or R28).
TEXT ·nativeMemmove(SB), NOSPLIT|NOFRAME, $0-0
	CMP	$16, R2
	BHI	large
	CMP	$8, R2
	BLO	move7
	ADD	R1, R2, R4
	ADD	R0, R2, R5
	MOVD	(R1), R6
	MOVD	-8(R4), R7
	MOVD	R6, (R0)
	MOVD	R7, -8(R5)
	RET
move7:
	CMP	$4, R2
	BLO	move3
	ADD	R1, R2, R4
	ADD	R0, R2, R5
	MOVWU	(R1), R6
	MOVWU	-4(R4), R7
	MOVW	R6, (R0)
	MOVW	R7, -4(R5)
	RET
move3:
	CBZ	R2, done
	ADD	R1, R2, R4
	ADD	R0, R2, R5
	LSR	$1, R2, R8
	MOVBU	(R1), R6
	MOVBU	-1(R4), R7
	MOVBU	(R1)(R8), R9
	MOVB	R6, (R0)
	MOVB	R7, -1(R5)
	MOVB	R9, (R0)(R8)
	RET
large:
	SUB	R1, R0, R8
	CMP	R2, R8
	BLO	backward // dst-src < n, unsigned: dst in [src, src+n)
	ADD	R1, R2, R4
	ADD	R0, R2, R5
	LDP	-16(R4), (R10, R11) // the last block, stored last
	MOVD	R0, R3
	MOVD	R1, R4
	SUB	$16, R2, R7
forward:
	LDP.P	16(R4), (R8, R9)
	STP.P	(R8, R9), 16(R3)
	SUBS	$16, R7
	BHI	forward
	STP	(R10, R11), -16(R5)
	RET
backward:
	LDP	(R1), (R10, R11) // the first block, stored last
	ADD	R1, R2, R4
	ADD	R0, R2, R3
	SUB	$16, R2, R7
backblock:
	LDP.W	-16(R4), (R8, R9)
	STP.W	(R8, R9), -16(R3)
	SUBS	$16, R7
	BHI	backblock
	STP	(R10, R11), (R0)
done:
	RET

// nativeMemset is memset(dst R0, c R1, n R2), returning dst: the byte
// repeated in a doubleword, stored as overlapping head and tail words up
// to 16 bytes and in 16-byte blocks beyond.
TEXT ·nativeMemset(SB), NOSPLIT|NOFRAME, $0-0
	AND	$0xff, R1, R6
	MOVD	$0x0101010101010101, R7
	MUL	R7, R6, R6
	ADD	R0, R2, R5
	CMP	$16, R2
	BHI	setlarge
	CMP	$8, R2
	BLO	set7
	MOVD	R6, (R0)
	MOVD	R6, -8(R5)
	RET
set7:
	CMP	$4, R2
	BLO	set3
	MOVW	R6, (R0)
	MOVW	R6, -4(R5)
	RET
set3:
	CBZ	R2, setdone
	LSR	$1, R2, R8
	MOVB	R6, (R0)
	MOVB	R6, -1(R5)
	MOVB	R6, (R0)(R8)
setdone:
	RET
setlarge:
	STP	(R6, R6), -16(R5)
	MOVD	R0, R3
	SUB	$16, R2, R7
setblock:
	STP.P	(R6, R6), 16(R3)
	SUBS	$16, R7
	BHI	setblock
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
