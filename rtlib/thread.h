// Offsets of the thread state at the base of a native stack region; see
// thread.go (threadState), checked by TestThreadHeader.
#define TS_GOSP 0x40
#define TS_GOFP 0x48
#define TS_GOLR 0x50
#define TS_NATIVESP 0x58
#define TS_EXIT 0x60
#define TS_ARGS 0x68
#define TS_RET 0x98
#define TS_CALLTRAMP 0xa0
#define TS_CALLVMCTX 0xa8
#define TS_CALLFN 0xb0
#define TS_CALLSLOTS 0xb8
// STACK_MASK is abi.NativeStackMask: sp & STACK_MASK is the thread state.
#define STACK_MASK $-8388608
