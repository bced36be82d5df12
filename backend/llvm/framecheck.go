package llvm

import (
	"strconv"
	"strings"

	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// Frame checks. A function checks the stack limit after its prologue has
// allocated its frame, and a function that calls no wasm function does not
// check at all: both rely on abi.MaxFrameBelowLimit bytes of mapped stack
// below the limit. A function whose frame is larger (Compile finds them
// from llc's frame sizes) gets an entry thunk that checks for the whole
// frame before calling the body, whose frame then lies above the limit.

// bodyPrefix names the body of a function behind a frame-check thunk.
const bodyPrefix = "wasm_body_"

// bodySymbol returns the name of defined function idx's body.
func bodySymbol(idx uint32) string { return bodyPrefix + strconv.FormatUint(uint64(idx), 10) }

// bodyIndex returns the function index of a body symbol.
func bodyIndex(name string) (uint32, bool) {
	s, ok := strings.CutPrefix(name, bodyPrefix)
	if !ok {
		return 0, false
	}
	i, err := strconv.ParseUint(s, 10, 32)
	return uint32(i), err == nil
}

// frameCheckThunk defines fn as: trap with call stack exhausted unless
// sp − bytes is at or above the stack limit, else return body(args).
func (m *moduleBuilder) frameCheckThunk(fn, body *function, bytes uint64) {
	b := newFuncBuilder(m, fn)
	b.entry = fn.NewBlock("entry")
	b.cur = b.entry
	sp := b.readSP()
	mask := abi.NativeStackMask
	b.thread = b.cur.NewIntToPtr(b.cur.NewAnd(sp, i64c(int64(mask))), tI8Ptr)
	limit := b.load(tI64, b.thread, abi.ThreadStackLimit, false)
	// sp − bytes < limit, as sp < limit + bytes so that it cannot wrap.
	b.trapIf(b.cur.NewICmp("ult", sp, b.cur.NewAdd(limit, i64c(int64(bytes)))), abi.TrapCallStackExhausted)
	ret := b.cur.NewCall(body.ref(), fn.params...)
	if fn.sig.ret == tVoid {
		ret = value{}
	}
	b.cur.NewRet(ret)
	m.define(fn)
}
