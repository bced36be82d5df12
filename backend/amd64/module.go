package amd64

import (
	"bytes"
	"context"
	"debug/elf"
	"fmt"
	"runtime"
	"sync"

	"github.com/wasmaot/wasmaot/backend"
	"github.com/wasmaot/wasmaot/backend/regalloc"
	"github.com/wasmaot/wasmaot/compiler/timing"
	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/lower/ir"
	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// module holds what every function of one module shares.
type module struct {
	wasm      *wasm.Module
	layout    *abi.Layout
	funcTypes []*wasm.FuncType // by function index
	timings   *timing.Timings  // nil unless the caller times the phases
}

// Compile generates the object of in.Module for x86-64: every defined
// function (in parallel, up to opts.Jobs at once), then the entry
// trampolines and import stubs, assembled by the seam's object writer.
func Compile(ctx context.Context, in *backend.Input, opts backend.Options) ([]byte, error) {
	if in.Target.Arch != abi.ArchAMD64 {
		return nil, fmt.Errorf("amd64 back end: target %v", in.Target.Arch)
	}
	wm := in.Module.Wasm
	m := &module{wasm: wm, layout: in.Meta.Layout(), timings: opts.Timings}
	// Function types by index, without the per-call import scan.
	for _, im := range wm.Imports {
		if im.Kind == wasm.ExternFunc {
			if int(im.Func) >= len(wm.Types) {
				return nil, fmt.Errorf("import of type %d out of range", im.Func)
			}
			m.funcTypes = append(m.funcTypes, &wm.Types[im.Func])
		}
	}
	for _, t := range wm.Funcs {
		if int(t) >= len(wm.Types) {
			return nil, fmt.Errorf("function of type %d out of range", t)
		}
		m.funcTypes = append(m.funcTypes, &wm.Types[t])
	}
	codes, err := m.compileFuncs(ctx, in, opts.Jobs)
	if err != nil {
		return nil, err
	}
	start := m.timings.Start()
	obj := &backend.Object{Arch: abi.ArchAMD64, Meta: in.Meta}
	// The functions' code (each padded to 16 bytes at most) sizes .text
	// up front; trampolines and stubs may still grow it.
	size := 0
	for _, c := range codes {
		size += len(c.code) + 15
	}
	obj.Text = make([]byte, 0, size)
	obj.Symbols = make([]backend.Symbol, 0, len(codes))
	funcAt := make([]int, len(codes)) // defined function → offset in .text
	place := func(name string, code []byte) int {
		for len(obj.Text)%16 != 0 {
			obj.Text = append(obj.Text, 0xcc)
		}
		at := len(obj.Text)
		obj.Text = append(obj.Text, code...)
		obj.Symbols = append(obj.Symbols, backend.Symbol{Name: name, Section: backend.Text,
			Offset: uint64(at), Size: uint64(len(code))})
		return at
	}
	nImported := int(wm.NumImportedFuncs)
	for i, c := range codes {
		if i >= len(in.Meta.Funcs) {
			return nil, fmt.Errorf("metadata lists %d functions, module has %d", len(in.Meta.Funcs), len(codes))
		}
		funcAt[i] = place(in.Meta.Funcs[i].Symbol, c.code)
	}
	for i, c := range codes {
		base := funcAt[i]
		for _, cl := range c.calls {
			if cl.runtime != "" {
				obj.Relocs = append(obj.Relocs, backend.Reloc{Section: backend.Text, Offset: uint64(base + cl.at),
					Type: uint32(elf.R_X86_64_PLT32), Symbol: cl.runtime, Addend: -4})
				continue
			}
			if cl.callee < uint32(nImported) || int(cl.callee)-nImported >= len(funcAt) {
				return nil, fmt.Errorf("call of undefined function %d", cl.callee)
			}
			target := funcAt[int(cl.callee)-nImported]
			at := base + cl.at
			put32(obj.Text[at:], int32(target-(at+4)))
		}
	}
	for _, e := range backend.Entries(in.Meta) {
		if e.Symbol == "" {
			continue
		}
		place(e.Symbol, entryTrampoline(e))
	}
	for _, s := range backend.ImportStubs(in.Meta) {
		place(s.Symbol, importStub(s))
	}
	if len(obj.Text) == 0 {
		// A module without functions or types: the loader wants code to
		// map, so the text is one never-executed int3.
		obj.Text = []byte{0xcc}
	}
	m.timings.Stop(timing.Encode, start)
	start = m.timings.Start()
	defer m.timings.Stop(timing.Object, start)
	return obj.Encode()
}

// compileFuncs generates the functions on up to jobs goroutines, largest
// first (in.Order), each taking a function's IR (in.Worker: funcCode
// keeps nothing of it) just before generating its code.
func (m *module) compileFuncs(ctx context.Context, in *backend.Input, jobs int) ([]*funcCode, error) {
	if jobs <= 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	n := in.NumFuncs()
	codes := make([]*funcCode, n)
	errs := make([]error, n)
	order := in.Order()
	var next int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := 0; w < min(jobs, n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			funcIR, w := in.Worker(), new(worker)
			for {
				mu.Lock()
				k := next
				next++
				mu.Unlock()
				if k >= n || ctx.Err() != nil {
					return
				}
				i := order[k]
				f, err := funcIR(i)
				if err != nil {
					errs[i] = err
					continue
				}
				codes[i], errs[i] = m.compileFuncSafe(f, w)
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return codes, nil
}

// compileFuncSafe turns a panic in code generation (a bug) into an error
// naming the function, so one bad function cannot take down the process.
func (m *module) compileFuncSafe(f *ir.Func, w *worker) (c *funcCode, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("amd64 back end: function %d: internal error: %v", f.Index, r)
		}
	}()
	return m.compileFunc(f, w)
}

// worker is the storage one code-generation goroutine reuses from
// function to function: the register allocator's tables, the code buffer
// and gen's per-value tables. A nil *worker allocates afresh.
type worker struct {
	ra     regalloc.Scratch
	code   []byte
	uses   []int32     // gen.uses
	consts []*ir.Instr // gen.consts
}

// useCounts returns gen.uses for a function of n values, zeroed.
func (w *worker) useCounts(n int) []int32 {
	if w == nil {
		return make([]int32, n)
	}
	w.uses = resize(w.uses, n)
	return w.uses
}

// constDefs returns gen.consts for a function of n values, cleared.
func (w *worker) constDefs(n int) []*ir.Instr {
	if w == nil {
		return make([]*ir.Instr, n)
	}
	w.consts = resize(w.consts, n)
	return w.consts
}

// resize returns buf with length n, zeroed, reallocated only when its
// capacity is short.
func resize[T any](buf []T, n int) []T {
	if cap(buf) < n {
		return make([]T, n)
	}
	buf = buf[:n]
	clear(buf)
	return buf
}

func (w *worker) scratch() *regalloc.Scratch {
	if w == nil {
		return new(regalloc.Scratch)
	}
	return &w.ra
}

// codeBuf returns the buffer to assemble the next function into.
func (w *worker) codeBuf() []byte {
	if w == nil {
		return nil
	}
	return w.code[:0]
}

// keep returns a function's finished code to keep, and takes its buffer
// back for the next function.
func (w *worker) keep(code []byte) []byte {
	if w == nil {
		return code
	}
	w.code = code
	return bytes.Clone(code)
}
