package llvm

import (
	"context"
	"fmt"
	"maps"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/wasmaot/wasmaot/backend"
	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/lower/ir"
	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// Options control Compile.
type Options struct {
	Target *Target
	// Meta is the module's metadata (backend.BuildMeta), written to
	// .wasmaot.meta; it also names the trampolines and import stubs.
	Meta     *abi.Meta
	OptLevel int // 0..3
	// Jobs bounds concurrent opt/llc processes; 0 means GOMAXPROCS.
	Jobs int
	// PartSize is about how many IR instructions go into one LLVM module
	// when a large wasm module is split for parallel compilation; 0 means
	// DefaultPartSize.
	PartSize int
	// FrameChecks names defined functions (by function index) whose frame
	// is too large for the ordinary stack check, with the bytes to check
	// for: each is emitted as a body (wasm_body_<i>) behind an entry
	// thunk that traps unless sp − bytes is above the stack limit, before
	// the body's frame exists. Compile finds them itself.
	FrameChecks map[uint32]uint64
}

// DefaultPartSize is the default Options.PartSize. Splitting costs
// cross-module inlining and a process start per part, so small modules
// stay whole.
const DefaultPartSize = 20000

// Compile translates a lowered module into an ELF64 relocatable object for
// opts.Target: one wasm_func_<i> per defined function, an array-call
// trampoline wasm_entry_<t> per type, a host-import stub wasm_import_<i>
// per imported function, and the encoded abi.Meta in .wasmaot.meta.
//
// Every function's frame is read back from llc's output. A frame larger
// than maxCheckedFrame could reach past the stack space that
// abi.MaxFrameBelowLimit guarantees below the stack limit (a function
// checks the limit only after its prologue, and a leaf function not at
// all), so such functions are compiled again behind a frame check (see
// Options.FrameChecks); this costs a second compilation only for modules
// that have them, which ordinary code never does.
func Compile(ctx context.Context, m *ir.Module, opts Options) ([]byte, error) {
	if opts.Target == nil {
		return nil, fmt.Errorf("llvm: no target")
	}
	jobs := opts.Jobs
	if jobs <= 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	checks := maps.Clone(opts.FrameChecks)
	for round := 0; ; round++ {
		opts.FrameChecks = checks
		mods, maxValues, err := translate(m, opts)
		if err != nil {
			return nil, err
		}
		obj, frames, err := compileModules(ctx, opts.Target, mods, CodegenOptions{OptLevel: opts.OptLevel, Jobs: jobs, MaxValues: maxValues})
		if err != nil {
			return nil, err
		}
		more, err := frameChecksNeeded(frames, checks)
		if err != nil {
			return nil, err
		}
		if len(more) == 0 {
			return obj, nil
		}
		if round == 2 {
			return nil, fmt.Errorf("llvm: frame sizes did not settle after %d compilations", round+1)
		}
		if checks == nil {
			checks = map[uint32]uint64{}
		}
		maps.Copy(checks, more)
	}
}

// maxCheckedFrame is the largest frame a function may have without a frame
// check: half of what abi.MaxFrameBelowLimit guarantees, leaving the rest
// for the builtins it calls.
const maxCheckedFrame = abi.MaxFrameBelowLimit / 2

// frameChecksNeeded returns the functions that need a frame check (or a
// larger one than checks gives them), given every function's frame size.
func frameChecksNeeded(frames map[string]uint64, checks map[uint32]uint64) (map[uint32]uint64, error) {
	var more map[uint32]uint64
	for name, size := range frames {
		if size <= maxCheckedFrame {
			continue
		}
		idx, isBody := bodyIndex(name)
		if !isBody {
			i, err := strconv.ParseUint(strings.TrimPrefix(name, abi.FuncSymbolPrefix), 10, 32)
			if !strings.HasPrefix(name, abi.FuncSymbolPrefix) || err != nil {
				return nil, fmt.Errorf("llvm: %s has a %d-byte frame", name, size)
			}
			idx = uint32(i)
		}
		if c, ok := checks[idx]; ok && size+maxCheckedFrame <= c {
			continue
		}
		if more == nil {
			more = map[uint32]uint64{}
		}
		// Room for the frame, some growth when recompiled, and the
		// builtins the body calls.
		more[idx] = (size + size/4 + maxCheckedFrame + 4095) &^ 4095
	}
	return more, nil
}

// Translate turns m into one or more textual LLVM modules (more than one
// only for large modules; see Options.PartSize). Part 0 also holds the
// trampolines, the import stubs and the metadata.
func Translate(m *ir.Module, opts Options) ([][]byte, error) {
	mods, _, err := translate(m, opts)
	return mods, err
}

// translate is Translate, also returning for each part the most SSA
// values any of its functions has.
func translate(m *ir.Module, opts Options) ([][]byte, []int, error) {
	wm := m.Wasm
	if wm == nil {
		return nil, nil, fmt.Errorf("llvm: module has no wasm description")
	}
	if len(m.Funcs) != len(wm.Funcs) {
		return nil, nil, fmt.Errorf("llvm: %d lowered functions for %d defined functions", len(m.Funcs), len(wm.Funcs))
	}
	meta := opts.Meta
	if meta == nil {
		return nil, nil, fmt.Errorf("llvm: no metadata")
	}
	if meta.Arch.String() != opts.Target.Arch {
		return nil, nil, fmt.Errorf("llvm: metadata for %v, target %s", meta.Arch, opts.Target.Arch)
	}
	layout := meta.Layout()
	encoded := meta.Encode()

	jobs := opts.Jobs
	if jobs <= 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	partSize := opts.PartSize
	if partSize <= 0 {
		partSize = DefaultPartSize
	}
	parts := splitFuncs(m.Funcs, partSize, 4*jobs)
	if opts.OptLevel == 0 {
		// At -O0 the register allocator is chosen per part by its
		// largest function (regAllocFor): functions too large for the
		// basic allocator go to parts of their own, so that they do not
		// take the small-frame allocator away from the rest.
		var small, large []*ir.Func
		for _, f := range m.Funcs {
			if regAllocFor(len(f.Types)) == "basic" {
				small = append(small, f)
			} else {
				large = append(large, f)
			}
		}
		if len(large) > 0 {
			parts = append(splitFuncs(small, partSize, 4*jobs), splitFuncs(large, partSize, 4*jobs)...)
		}
	}
	out := make([][]byte, len(parts))
	maxValues := make([]int, len(parts))
	for p, funcs := range parts {
		for _, f := range funcs {
			maxValues[p] = max(maxValues[p], len(f.Types))
		}
	}
	errs := make([]error, len(parts))
	var wg sync.WaitGroup
	sem := make(chan struct{}, jobs)
	for p, funcs := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			var first *abi.Meta
			if p == 0 {
				first = meta
			}
			out[p], errs[p] = translatePart(opts.Target, wm, layout, funcs, first, encoded, opts.FrameChecks)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, nil, err
		}
	}
	return out, maxValues, nil
}

// translatePart builds the LLVM module for funcs. The part that gets meta
// also holds the encoded metadata, the trampolines and the import stubs.
func translatePart(t *Target, wm *wasm.Module, layout *abi.Layout, funcs []*ir.Func, meta *abi.Meta, encoded []byte, frameChecks map[uint32]uint64) ([]byte, error) {
	mb := newModuleBuilder(t, wm, layout)
	if meta != nil {
		mb.addMeta(encoded)
		for _, e := range backend.Entries(meta) {
			mb.entryTrampoline(e)
		}
		for _, s := range backend.ImportStubs(meta) {
			mb.importStub(s)
		}
	}
	for _, f := range funcs {
		if int(f.Index) >= int(wm.NumFuncs()) || f.Index < wm.NumImportedFuncs {
			return nil, fmt.Errorf("llvm: lowered function index %d is not a defined function", f.Index)
		}
		fn := mb.function(abi.FuncSymbol(int(f.Index)), mb.funcSig(f.Index))
		if fn.defined {
			return nil, fmt.Errorf("llvm: function %d lowered twice", f.Index)
		}
		body := fn
		bytes, checked := frameChecks[f.Index]
		if checked {
			body = mb.function(bodySymbol(f.Index), fn.sig)
			body.noinline = true
		}
		if err := mb.translateFunc(f, body); err != nil {
			return nil, fmt.Errorf("llvm: %w", err)
		}
		mb.define(body)
		if checked {
			mb.frameCheckThunk(fn, body, bytes)
		}
	}
	return mb.finish(), nil
}

// splitFuncs cuts funcs into at most maxParts runs of about partSize
// instructions each.
func splitFuncs(funcs []*ir.Func, partSize, maxParts int) [][]*ir.Func {
	total := 0
	sizes := make([]int, len(funcs))
	for i, f := range funcs {
		for _, b := range f.Blocks {
			sizes[i] += len(b.Instrs)
		}
		total += sizes[i]
	}
	n := min(max(total/partSize, 1), max(maxParts, 1))
	per := total/n + 1
	parts := [][]*ir.Func{nil}
	acc := 0
	for i, f := range funcs {
		// A function that would overfill the current part starts the
		// next one, so one large function does not pull small ones in.
		if acc > 0 && acc+sizes[i] > per && len(parts) < n {
			parts = append(parts, nil)
			acc = 0
		}
		parts[len(parts)-1] = append(parts[len(parts)-1], f)
		acc += sizes[i]
	}
	return parts
}

// addMeta emits the encoded metadata as a global in .wasmaot.meta.
func (m *moduleBuilder) addMeta(data []byte) {
	out := append(m.out, "@wasmaot_meta = hidden constant ["...)
	out = strconv.AppendInt(out, int64(len(data)), 10)
	out = append(out, " x i8] c\""...)
	for _, c := range data {
		if c >= 0x20 && c < 0x7f && c != '"' && c != '\\' {
			out = append(out, c)
		} else {
			out = append(out, '\\', hexDigits[c>>4], hexDigits[c&15])
		}
	}
	m.out = append(out, "\", section \""+abi.MetaSection+"\", align 8\n\n"...)
}

const hexDigits = "0123456789ABCDEF"

// entryTrampoline emits the array-call trampoline e describes.
func (m *moduleBuilder) entryTrampoline(e backend.Entry) {
	fn := m.function(e.Symbol, funcType(tVoid, tI8Ptr, tI8Ptr, i64Ptr))
	// The trampoline must not read the VMContext (see backend.Entry): it
	// need not have this module's size.
	fn.vmctx = false
	b := newFuncBuilder(m, fn)
	b.entry = fn.NewBlock("entry")
	b.cur = b.entry
	slots := fn.params[2]
	args := []value{fn.params[0]}
	if e.ResultsArea {
		args = append(args, slots)
	}
	args = append(args, b.loadSlots(slots, e.Params)...)
	callee := b.cur.NewBitCast(fn.params[1], ptrTo(m.typeSig(uint32(e.Type))))
	call := b.cur.NewCall(callee, args...)
	if len(e.Results) == 1 {
		b.storeSlots(slots, e.Results, []value{call})
	}
	b.cur.NewRet(value{})
	m.define(fn)
}

// importStub emits the host-import stub s describes.
func (m *moduleBuilder) importStub(s backend.ImportStub) {
	fn := m.function(s.Symbol, m.funcSig(uint32(s.Func)))
	b := newFuncBuilder(m, fn)
	b.entry = fn.NewBlock("entry")
	b.cur = b.entry
	params := fn.params[1:]
	if s.ResultsArea {
		params = fn.params[2:]
	}
	slots := fn.slots(uint64(s.SlotCount)).v
	b.storeSlots(slots, s.Params, params)
	b.callBuiltin(s.Builtin, tVoid, "", u32c(uint32(s.Func)), slots)
	res := b.loadSlots(slots, s.Results)
	switch {
	case len(res) == 0:
		b.cur.NewRet(value{})
	case s.ResultsArea:
		b.storeSlots(fn.params[1], s.Results, res)
		b.cur.NewRet(value{})
	default:
		b.cur.NewRet(res[0])
	}
	m.define(fn)
}
