// Stack switching between Go and native code on x86-64; see
// docs/runtime.md. Native routines follow the SysV C ABI and run on a
// native stack; the Go-callable ones are ABI0.

#include "textflag.h"
#include "thread.h"

// func callNative(ts uintptr)
// Saves the Go SP/BP in the thread state, switches to TS_NATIVESP and
// calls entry(vmctx, fn, slots); when that returns, goes back to the last
// saved Go SP with TS_EXIT = 0.
TEXT ·callNative(SB), NOSPLIT|NOFRAME, $0-8
	MOVQ ts+0(FP), AX
	MOVQ SP, TS_GOSP(AX)
	MOVQ BP, TS_GOFP(AX)
	MOVQ TS_NATIVESP(AX), SP
	MOVQ TS_CALLVMCTX(AX), DI
	MOVQ TS_CALLFN(AX), SI
	MOVQ TS_CALLSLOTS(AX), DX
	MOVQ TS_CALLTRAMP(AX), R11
	CALL R11
	MOVQ SP, AX
	ANDQ STACK_MASK, AX
	MOVQ $0, TS_EXIT(AX)
	MOVQ TS_GOSP(AX), SP
	MOVQ TS_GOFP(AX), BP
	RET

// func resumeNative(ts uintptr)
// Saves the Go SP/BP, switches to the native SP saved by an exit, restores
// the callee-saved registers and returns TS_RET to the builtin's caller.
TEXT ·resumeNative(SB), NOSPLIT|NOFRAME, $0-8
	MOVQ ts+0(FP), AX
	MOVQ SP, TS_GOSP(AX)
	MOVQ BP, TS_GOFP(AX)
	MOVQ TS_RET(AX), CX
	MOVQ TS_NATIVESP(AX), SP
	MOVQ 0(SP), R15
	MOVQ 8(SP), R14
	MOVQ 16(SP), R13
	MOVQ 24(SP), R12
	MOVQ 32(SP), BX
	MOVQ 40(SP), BP
	LEAQ 48(SP), SP
	MOVQ CX, AX
	// Return by an indirect jump, not RET: see exitCommon.
	POPQ R11
	JMP R11

// exitCommon is jumped to by every builtin stub with R11 = builtin+1 and
// the builtin's C arguments in DI, SI, DX, CX, R8, R9. It saves the
// callee-saved registers on the native stack, records the exit and returns
// to Go from the last callNative/resumeNative.
TEXT exitCommon<>(SB), NOSPLIT|NOFRAME, $0-0
	LEAQ -48(SP), SP
	MOVQ BP, 40(SP)
	MOVQ BX, 32(SP)
	MOVQ R12, 24(SP)
	MOVQ R13, 16(SP)
	MOVQ R14, 8(SP)
	MOVQ R15, 0(SP)
	MOVQ SP, AX
	ANDQ STACK_MASK, AX
	MOVQ SP, TS_NATIVESP(AX)
	MOVQ R11, TS_EXIT(AX)
	MOVQ DI, (TS_ARGS+0)(AX)
	MOVQ SI, (TS_ARGS+8)(AX)
	MOVQ DX, (TS_ARGS+16)(AX)
	MOVQ CX, (TS_ARGS+24)(AX)
	MOVQ R8, (TS_ARGS+32)(AX)
	MOVQ R9, (TS_ARGS+40)(AX)
	MOVQ TS_GOSP(AX), SP
	MOVQ TS_GOFP(AX), BP
	// Return to Go by an indirect jump rather than RET. A RET here would
	// pop the return-stack predictor's entry for the native call of this
	// stub, mispredict, and leave the predictor out of step for the Go
	// returns that follow; the jump is predicted from its own history
	// (in a loop of host calls, always the same target). resumeNative
	// does the same on the way back.
	POPQ R11
	JMP R11

#define STUB(name, n) \
TEXT name(SB), NOSPLIT|NOFRAME, $0-0; \
	MOVQ $n, R11; \
	JMP exitCommon<>(SB)

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

// nativeMemmove is memmove(dst DI, src SI, n DX) and memcpy, returning
// dst. Each size class loads every byte it moves before storing any, so
// overlapping ranges are safe: up to 64 bytes as overlapping head and tail
// words, larger copies with REP MOVSB forward, or 16-byte blocks from the
// end down when dst lies inside (src, src+n). Clobbers only caller-saved
// registers (SysV).
TEXT ·nativeMemmove(SB), NOSPLIT|NOFRAME, $0-0
	MOVQ DI, AX
	CMPQ DX, $16
	JBE  move16
	CMPQ DX, $32
	JBE  move32
	CMPQ DX, $64
	JBE  move64
	MOVQ DI, R8
	SUBQ SI, R8
	CMPQ R8, DX
	JCS  backward // dst-src < n, unsigned: dst in [src, src+n)
	MOVQ DX, CX
	REP; MOVSB
	RET
backward:
	MOVOU (SI), X4 // the first block, stored last
	LEAQ -16(DX), R10
backblock:
	MOVOU (SI)(R10*1), X0
	MOVOU X0, (DI)(R10*1)
	SUBQ $16, R10
	JGT  backblock
	MOVOU X4, (DI)
	RET
move64:
	MOVOU (SI), X0
	MOVOU 16(SI), X1
	MOVOU -32(SI)(DX*1), X2
	MOVOU -16(SI)(DX*1), X3
	MOVOU X0, (DI)
	MOVOU X1, 16(DI)
	MOVOU X2, -32(DI)(DX*1)
	MOVOU X3, -16(DI)(DX*1)
	RET
move32:
	MOVOU (SI), X0
	MOVOU -16(SI)(DX*1), X1
	MOVOU X0, (DI)
	MOVOU X1, -16(DI)(DX*1)
	RET
move16:
	CMPQ DX, $8
	JCS  move7
	MOVQ (SI), R8
	MOVQ -8(SI)(DX*1), R9
	MOVQ R8, (DI)
	MOVQ R9, -8(DI)(DX*1)
	RET
move7:
	CMPQ DX, $4
	JCS  move3
	MOVL (SI), R8
	MOVL -4(SI)(DX*1), R9
	MOVL R8, (DI)
	MOVL R9, -4(DI)(DX*1)
	RET
move3:
	TESTQ DX, DX
	JEQ  moved
	MOVQ DX, R10
	SHRQ $1, R10
	MOVB (SI), R8
	MOVB -1(SI)(DX*1), R9
	MOVB (SI)(R10*1), R11
	MOVB R8, (DI)
	MOVB R9, -1(DI)(DX*1)
	MOVB R11, (DI)(R10*1)
moved:
	RET

// nativeMemset is memset(dst DI, c SI, n DX), returning dst: up to 32
// bytes as overlapping head and tail stores of the byte repeated, larger
// fills with REP STOSB.
TEXT ·nativeMemset(SB), NOSPLIT|NOFRAME, $0-0
	MOVQ DI, R10
	MOVBQZX SI, AX
	CMPQ DX, $32
	JA   setlarge
	MOVQ $0x0101010101010101, R8
	IMULQ R8, AX
	CMPQ DX, $16
	JBE  set16
	MOVQ AX, X0
	PUNPCKLQDQ X0, X0
	MOVOU X0, (DI)
	MOVOU X0, -16(DI)(DX*1)
	MOVQ R10, AX
	RET
set16:
	CMPQ DX, $8
	JCS  set7
	MOVQ AX, (DI)
	MOVQ AX, -8(DI)(DX*1)
	MOVQ R10, AX
	RET
set7:
	CMPQ DX, $4
	JCS  set3
	MOVL AX, (DI)
	MOVL AX, -4(DI)(DX*1)
	MOVQ R10, AX
	RET
set3:
	TESTQ DX, DX
	JEQ  setdone
	MOVQ DX, R9
	SHRQ $1, R9
	MOVB AX, (DI)
	MOVB AX, -1(DI)(DX*1)
	MOVB AX, (DI)(R9*1)
setdone:
	MOVQ R10, AX
	RET
setlarge:
	MOVQ DX, CX
	REP; STOSB
	MOVQ R10, AX
	RET

// func nativeAddrs(out *[numNativeAddrs]uintptr)
TEXT ·nativeAddrs(SB), NOSPLIT, $0-8
	MOVQ out+0(FP), DI
	LEAQ ·stubTrap(SB), AX
	MOVQ AX, 0(DI)
	LEAQ ·stubHostCall(SB), AX
	MOVQ AX, 8(DI)
	LEAQ ·stubYield(SB), AX
	MOVQ AX, 16(DI)
	LEAQ ·stubMemoryGrow(SB), AX
	MOVQ AX, 24(DI)
	LEAQ ·stubMemoryFill(SB), AX
	MOVQ AX, 32(DI)
	LEAQ ·stubMemoryCopy(SB), AX
	MOVQ AX, 40(DI)
	LEAQ ·stubMemoryInit(SB), AX
	MOVQ AX, 48(DI)
	LEAQ ·stubDataDrop(SB), AX
	MOVQ AX, 56(DI)
	LEAQ ·stubTableGrow(SB), AX
	MOVQ AX, 64(DI)
	LEAQ ·stubTableFill(SB), AX
	MOVQ AX, 72(DI)
	LEAQ ·stubTableCopy(SB), AX
	MOVQ AX, 80(DI)
	LEAQ ·stubTableInit(SB), AX
	MOVQ AX, 88(DI)
	LEAQ ·stubElemDrop(SB), AX
	MOVQ AX, 96(DI)
	LEAQ ·nativeMemmove(SB), AX
	MOVQ AX, 104(DI)
	LEAQ ·nativeMemset(SB), AX
	MOVQ AX, 112(DI)
	RET
