package arm64

import (
	"context"
	"debug/elf"
	"encoding/binary"
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

// moduleGen holds what every function of one module shares.
type moduleGen struct {
	wm      *wasm.Module
	layout  *abi.Layout
	timings *timing.Timings // nil unless the caller times the phases
}

// Compile generates the object for an arm64 target (the native back end,
// backend/native, dispatches here): functions are compiled in parallel,
// then laid out in .text after the entry trampolines and the import
// stubs; calls between them are resolved here, jump tables go
// to .rodata.
func Compile(ctx context.Context, in *backend.Input, opts backend.Options) (obj []byte, err error) {
	defer func() {
		// The encoder panics on a form it cannot encode: report it as an
		// error of this module, never crash the caller.
		if r := recover(); r != nil {
			obj, err = nil, fmt.Errorf("arm64: %v", r)
		}
	}()
	if in.Target.Arch != abi.ArchARM64 {
		return nil, fmt.Errorf("arm64: cannot generate code for %v", in.Target.Arch)
	}
	m, meta := in.Module, in.Meta
	wm := m.Wasm
	if wm == nil || meta == nil {
		return nil, fmt.Errorf("arm64: module without wasm description or metadata")
	}
	nf := in.NumFuncs()
	if nf != len(wm.Funcs) {
		return nil, fmt.Errorf("arm64: %d lowered functions for %d defined functions", nf, len(wm.Funcs))
	}
	mg := &moduleGen{wm: wm, layout: meta.Layout(), timings: opts.Timings}

	jobs := opts.Jobs
	if jobs <= 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	gens := make([]*funcGen, nf)
	lays := make([]*Layout, nf)
	errs := make([]error, nf)
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < jobs; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// compileOne keeps nothing of the IR or allocation (release).
			funcIR, ra := in.Worker(), new(regalloc.Scratch)
			for i := range next {
				f, err := funcIR(i)
				if err != nil {
					errs[i] = err
					continue
				}
				errs[i] = mg.compileOne(f, i, wm, ra, &gens[i], &lays[i])
			}
		}()
	}
	for _, i := range in.Order() {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	start := mg.timings.Start()
	o, err := mg.link(meta, gens, lays)
	mg.timings.Stop(timing.Encode, start)
	if err != nil {
		return nil, err
	}
	start = mg.timings.Start()
	defer mg.timings.Stop(timing.Object, start)
	return o.Encode()
}

// compileOne compiles defined function number i, turning a panic of the
// encoder into an error of that function.
func (mg *moduleGen) compileOne(f *ir.Func, i int, wm *wasm.Module, ra *regalloc.Scratch, gen **funcGen, lay **Layout) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("arm64: function %d: %v", f.Index, r)
		}
	}()
	if f.Index != wm.NumImportedFuncs+uint32(i) {
		return fmt.Errorf("arm64: lowered function %d is at position %d", f.Index, i)
	}
	g, err := mg.compileFunc(f, ra)
	if err != nil {
		return fmt.Errorf("arm64: %w", err)
	}
	start := mg.timings.Start()
	l, err := g.a.Finish()
	mg.timings.Stop(timing.Encode, start)
	if err != nil {
		return fmt.Errorf("arm64: function %d: %w", f.Index, err)
	}
	g.release()
	*gen, *lay = g, l
	return nil
}

// callRange is the reach of BL (±128 MiB); a test lowers it to force
// veneers.
var callRange int64 = 128 << 20

// veneerSize is the size of one veneer: ADRP x16; ADD x16; BR x16.
const veneerSize = 12

// link lays out .text and .rodata, and resolves calls; Compile encodes the object.
//
// A call whose target is beyond BL's reach goes through a veneer placed
// right after the calling function (ADRP+ADD with relocations, which
// reach ±4 GiB, then BR x16; x16 is the intra-procedure-call scratch
// register AAPCS64 lets veneers clobber). Adding veneers moves the code
// that follows, so the layout is repeated until no call changes; a call
// only ever goes from direct to veneered, so this ends.
func (mg *moduleGen) link(meta *abi.Meta, gens []*funcGen, lays []*Layout) (*backend.Object, error) {
	o := &backend.Object{Arch: abi.ArchARM64, Meta: meta}
	var head [][]byte // the trampolines and import stubs
	var headNames []string
	for _, e := range backend.Entries(meta) {
		code, err := finish(entryTrampoline(e))
		if err != nil {
			return nil, err
		}
		head, headNames = append(head, code), append(headNames, e.Symbol)
	}
	for _, s := range backend.ImportStubs(meta) {
		code, err := finish(importStub(s))
		if err != nil {
			return nil, err
		}
		head, headNames = append(head, code), append(headNames, s.Symbol)
	}
	nImported := mg.wm.NumImportedFuncs
	targetIndex := func(c callSite) (int, error) { // into gens
		if c.target >= int(nImported) && c.target-int(nImported) < len(gens) {
			return c.target - int(nImported), nil
		}
		return 0, fmt.Errorf("arm64: call to function %d, which is not defined here", c.target)
	}
	align := func(n uint64) uint64 { return (n + 15) &^ 15 }
	// veneers[i] lists the targets function i reaches through its island.
	veneers := make([][]int, len(gens))
	has := make([]map[int]bool, len(gens))
	var starts []uint64
	var pos uint64 // the end of .text
	for {
		pos = 0
		for _, code := range head {
			pos = align(pos) + uint64(len(code))
		}
		starts = make([]uint64, len(gens))
		for i := range gens {
			starts[i] = align(pos)
			pos = starts[i] + uint64(len(lays[i].Code)) + uint64(veneerSize*len(veneers[i]))
		}
		changed := false
		for i, g := range gens {
			for _, c := range g.calls {
				ti, err := targetIndex(c)
				if err != nil {
					return nil, err
				}
				d := int64(starts[ti]) - int64(starts[i]+uint64(lays[i].Offset(c.at)))
				if (d >= -callRange && d < callRange) || has[i][ti] {
					continue
				}
				if has[i] == nil {
					has[i] = map[int]bool{}
				}
				has[i][ti] = true
				veneers[i] = append(veneers[i], ti)
				changed = true
			}
		}
		if !changed {
			break
		}
	}
	o.Text = make([]byte, 0, pos)
	o.Symbols = make([]backend.Symbol, 0, len(head)+len(gens))
	place := func(name string, code []byte, local bool) uint64 {
		for len(o.Text)%16 != 0 {
			o.Text = binary.LittleEndian.AppendUint32(o.Text, 0xD503201F) // NOP padding
		}
		off := uint64(len(o.Text))
		o.Text = append(o.Text, code...)
		o.Symbols = append(o.Symbols, backend.Symbol{Name: name, Section: backend.Text, Offset: off, Size: uint64(len(code)), Local: local})
		return off
	}
	for k, code := range head {
		place(headNames[k], code, false)
	}
	symbolOf := func(ti int) string { return abi.FuncSymbol(int(gens[ti].index)) }
	for i, g := range gens {
		if at := place(abi.FuncSymbol(int(g.index)), lays[i].Code, false); at != starts[i] {
			return nil, fmt.Errorf("arm64: function %d placed at %#x, laid out at %#x", g.index, at, starts[i])
		}
		island := map[int]uint64{}
		if len(veneers[i]) > 0 {
			var v Asm
			for range veneers[i] {
				v.Adrp(regTmp0)
				v.AddImm(ADD, true, regTmp0, regTmp0, 0)
				v.Br(regTmp0)
			}
			code, err := finish(&v)
			if err != nil {
				return nil, err
			}
			base := uint64(len(o.Text))
			o.Text = append(o.Text, code...)
			o.Symbols = append(o.Symbols, backend.Symbol{Name: fmt.Sprintf("wasmaot_veneers_%d", g.index), Section: backend.Text,
				Offset: base, Size: uint64(len(code)), Local: true})
			for k, ti := range veneers[i] {
				at := base + uint64(veneerSize*k)
				island[ti] = at
				o.Relocs = append(o.Relocs,
					backend.Reloc{Section: backend.Text, Offset: at, Type: uint32(elf.R_AARCH64_ADR_PREL_PG_HI21), Symbol: symbolOf(ti)},
					backend.Reloc{Section: backend.Text, Offset: at + 4, Type: uint32(elf.R_AARCH64_ADD_ABS_LO12_NC), Symbol: symbolOf(ti)})
			}
		}
		for _, c := range g.calls {
			ti, _ := targetIndex(c)
			at := starts[i] + uint64(lays[i].Offset(c.at))
			to, ok := island[ti]
			if !ok {
				to = starts[ti]
			}
			d := int64(to) - int64(at)
			if d < -callRange || d >= callRange {
				return nil, fmt.Errorf("arm64: call at %#x to %#x is out of reach even through a veneer (function too large)", at, to)
			}
			w := binary.LittleEndian.Uint32(o.Text[at:])
			binary.LittleEndian.PutUint32(o.Text[at:], w|encodeDisp(fixBL, d))
		}
		for _, c := range g.runtimeCalls {
			at := starts[i] + uint64(lays[i].Offset(c.adrp))
			o.Relocs = append(o.Relocs,
				backend.Reloc{Section: backend.Text, Offset: at, Type: uint32(elf.R_AARCH64_ADR_GOT_PAGE), Symbol: c.symbol},
				backend.Reloc{Section: backend.Text, Offset: at + 4, Type: uint32(elf.R_AARCH64_LD64_GOT_LO12_NC), Symbol: c.symbol})
		}
		for _, t := range g.tables {
			for len(o.Rodata)%4 != 0 {
				o.Rodata = append(o.Rodata, 0)
			}
			off := int64(len(o.Rodata))
			anchor := g.a.LabelOffset(lays[i], t.anchor)
			for _, e := range t.entries {
				o.Rodata = binary.LittleEndian.AppendUint32(o.Rodata, uint32(int32(g.a.LabelOffset(lays[i], e)-anchor)))
			}
			at := starts[i] + uint64(lays[i].Offset(t.adrp))
			o.Relocs = append(o.Relocs,
				backend.Reloc{Section: backend.Text, Offset: at, Type: uint32(elf.R_AARCH64_ADR_PREL_PG_HI21), Symbol: backend.Rodata.String(), Addend: off},
				backend.Reloc{Section: backend.Text, Offset: at + 4, Type: uint32(elf.R_AARCH64_ADD_ABS_LO12_NC), Symbol: backend.Rodata.String(), Addend: off})
		}
	}
	if len(o.Text) == 0 {
		// A module without functions or exports: the loader wants code
		// to map, so the text is one never-executed BRK.
		o.Text = binary.LittleEndian.AppendUint32(o.Text, 0xD4200000)
	}
	return o, nil
}

func finish(a *Asm) ([]byte, error) {
	l, err := a.Finish()
	if err != nil {
		return nil, err
	}
	return l.Code, nil
}
