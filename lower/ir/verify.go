package ir

import (
	"errors"
	"fmt"
	"slices"

	"github.com/wasmaot/wasmaot/compiler/wasm"
)

// Verify checks every function of m; see VerifyFunc.
func (m *Module) Verify() error {
	for _, f := range m.Funcs {
		if err := VerifyFunc(m.Wasm, f); err != nil {
			return err
		}
	}
	return nil
}

// VerifyFunc checks the invariants of f: every block ends in exactly one
// terminator; every value is defined once, with its recorded type; operand
// and result types follow the op's typing rule; every branch passes one
// argument of the right type per target parameter; the entry block's
// parameters match the signature; and every use is dominated by its
// definition. Blocks unreachable from the entry are checked except for
// dominance. When wm is nil, rules that need the module (call signatures,
// global and table types) are skipped.
func VerifyFunc(wm *wasm.Module, f *Func) error {
	v := &verifier{wm: wm, f: f, defBlock: map[Value]*Block{}, defPos: map[Value]int{}}
	if err := v.run(); err != nil {
		return fmt.Errorf("verify f%d: %w", f.Index, err)
	}
	return nil
}

type verifier struct {
	wm       *wasm.Module
	f        *Func
	defBlock map[Value]*Block
	defPos   map[Value]int // -1 for block parameters, else instruction index
}

func (v *verifier) define(val Value, b *Block, pos int) error {
	if int(val) >= len(v.f.Types) || v.f.Types[val] == 0 {
		return fmt.Errorf("b%d: v%d has no type", b.ID, val)
	}
	if _, dup := v.defBlock[val]; dup {
		return fmt.Errorf("b%d: v%d defined twice", b.ID, val)
	}
	v.defBlock[val], v.defPos[val] = b, pos
	return nil
}

func (v *verifier) run() error {
	f := v.f
	if len(f.Blocks) == 0 {
		return errors.New("no blocks")
	}
	ids := map[int]bool{}
	inFunc := map[*Block]bool{}
	for _, b := range f.Blocks {
		if ids[b.ID] {
			return fmt.Errorf("block ID b%d used twice", b.ID)
		}
		ids[b.ID], inFunc[b] = true, true
		for _, p := range b.Params {
			if err := v.define(p, b, -1); err != nil {
				return err
			}
		}
		for i, in := range b.Instrs {
			for _, r := range in.Results {
				if err := v.define(r, b, i); err != nil {
					return err
				}
			}
		}
	}
	if !slices.Equal(v.types(f.Blocks[0].Params), f.Sig.Params) {
		return fmt.Errorf("entry parameters %s do not match the signature %s", typeList(v.types(f.Blocks[0].Params)), typeList(f.Sig.Params))
	}
	cfg := ComputeCFG(f)
	for _, b := range f.Blocks {
		if len(b.Instrs) == 0 || b.Terminator() == nil {
			return fmt.Errorf("b%d does not end in a terminator", b.ID)
		}
		for i, in := range b.Instrs {
			info := in.Op.Info()
			if info == nil {
				return fmt.Errorf("b%d: unknown op %v", b.ID, in.Op)
			}
			if info.Terminator && i != len(b.Instrs)-1 {
				return fmt.Errorf("b%d: terminator %s in the middle of the block", b.ID, info.Name)
			}
			if err := v.instr(in); err != nil {
				return fmt.Errorf("b%d: %s: %w", b.ID, f.FormatInstr(in), err)
			}
			for _, s := range in.Succs {
				if !inFunc[s.Block] {
					return fmt.Errorf("b%d: branch to b%d, which is not in the function", b.ID, s.Block.ID)
				}
			}
			if cfg.Reachable(b) {
				for _, a := range v.uses(in) {
					if err := v.dominates(cfg, a, b, i); err != nil {
						return fmt.Errorf("b%d: %s: %w", b.ID, f.FormatInstr(in), err)
					}
				}
			}
		}
	}
	return nil
}

func (v *verifier) uses(in *Instr) []Value {
	uses := slices.Clone(in.Args)
	for _, s := range in.Succs {
		uses = append(uses, s.Args...)
	}
	return uses
}

func (v *verifier) dominates(cfg *CFG, val Value, b *Block, pos int) error {
	db, ok := v.defBlock[val]
	if !ok {
		return fmt.Errorf("v%d is not defined", val)
	}
	if db == b {
		if v.defPos[val] < pos {
			return nil
		}
		return fmt.Errorf("v%d is used before its definition", val)
	}
	if !cfg.Reachable(db) || !cfg.Dominates(db, b) {
		return fmt.Errorf("the definition of v%d (in b%d) does not dominate this use", val, db.ID)
	}
	return nil
}

func (v *verifier) types(vals []Value) []Type {
	ts := make([]Type, len(vals))
	for i, val := range vals {
		if int(val) < len(v.f.Types) {
			ts[i] = v.f.Types[val]
		}
	}
	return ts
}

// expect compares what an instruction has with what its rule demands.
func (v *verifier) expect(in *Instr, params, results []Type) error {
	if got := v.types(in.Args); !slices.Equal(got, params) {
		return fmt.Errorf("operands have types %s, want %s", typeList(got), typeList(params))
	}
	if got := v.types(in.Results); !slices.Equal(got, results) {
		return fmt.Errorf("results have types %s, want %s", typeList(got), typeList(results))
	}
	return nil
}

func (v *verifier) instr(in *Instr) error {
	info := in.Op.Info()
	if err := v.succs(in); err != nil {
		return err
	}
	if info.Fixed {
		return v.expect(in, info.Params, info.Results)
	}
	args, res := v.types(in.Args), v.types(in.Results)
	arg := func(i int) Type {
		if i >= 0 && i < len(args) {
			return args[i]
		}
		return 0
	}
	switch in.Op {
	case OpSelect:
		t := arg(0)
		return v.expect(in, []Type{t, t, I32}, []Type{t})
	case OpCall, OpCallImport:
		if (in.Op == OpCallImport) != (v.wm != nil && in.Index < v.wm.NumImportedFuncs) && v.wm != nil {
			return errors.New("call_import must name exactly the imported functions")
		}
		if ft, ok := funcType(v.wm, in.Index); ok {
			return v.expect(in, ft.Params, ft.Results)
		}
		if v.wm != nil {
			return fmt.Errorf("no function %d", in.Index)
		}
	case OpCallIndirect:
		if v.wm == nil {
			if arg(len(args)-1) != I32 {
				return errors.New("the last operand must be the i32 table index")
			}
			return nil
		}
		if int(in.Index) >= len(v.wm.Types) {
			return fmt.Errorf("no type %d", in.Index)
		}
		ft := v.wm.Types[in.Index]
		return v.expect(in, append(slices.Clone(ft.Params), I32), ft.Results)
	case OpReturn:
		return v.expect(in, v.f.Sig.Results, nil)
	case OpGlobalGet, OpGlobalSet:
		t := arg(0)
		if in.Op == OpGlobalGet && len(res) == 1 {
			t = res[0]
		}
		if gt, ok := globalType(v.wm, in.Index); ok {
			t = gt.Type
		}
		if in.Op == OpGlobalGet {
			return v.expect(in, nil, []Type{t})
		}
		return v.expect(in, []Type{t}, nil)
	case OpRefNull:
		if !in.Type.IsRef() {
			return errors.New("ref.null needs a reference type")
		}
		return v.expect(in, nil, []Type{in.Type})
	case OpRefIsNull:
		if !arg(0).IsRef() {
			return errors.New("operand is not a reference")
		}
		return v.expect(in, []Type{arg(0)}, []Type{I32})
	case OpRefFunc:
		return v.expect(in, nil, []Type{FuncRef})
	case OpTableGet, OpTableSet, OpTableGrow, OpTableFill:
		var elem Type
		if tt, ok := tableType(v.wm, in.Index); ok {
			elem = tt.Elem
		} else { // no module: take the type the instruction uses
			switch in.Op {
			case OpTableGet:
				if len(res) == 1 {
					elem = res[0]
				}
			case OpTableGrow:
				elem = arg(0)
			default:
				elem = arg(1)
			}
		}
		switch in.Op {
		case OpTableGet:
			return v.expect(in, []Type{I32}, []Type{elem})
		case OpTableSet:
			return v.expect(in, []Type{I32, elem}, nil)
		case OpTableGrow:
			return v.expect(in, []Type{elem, I32}, []Type{I32})
		default:
			return v.expect(in, []Type{I32, elem, I32}, nil)
		}
	default:
		return fmt.Errorf("no typing rule for %s", info.Name)
	}
	return nil
}

// succs checks the successor count and the arguments of each edge.
func (v *verifier) succs(in *Instr) error {
	want := map[Op]int{OpJump: 1, OpBrIf: 2}[in.Op]
	switch {
	case in.Op == OpSwitch:
		if len(in.Succs) == 0 {
			return errors.New("switch needs a default successor")
		}
	case len(in.Succs) != want:
		return fmt.Errorf("%d successors, want %d", len(in.Succs), want)
	}
	for _, s := range in.Succs {
		if got, params := v.types(s.Args), v.types(s.Block.Params); !slices.Equal(got, params) {
			return fmt.Errorf("edge to b%d passes %s, want %s", s.Block.ID, typeList(got), typeList(params))
		}
	}
	return nil
}

// funcType, globalType and tableType look up module entities; ok is false
// without a module or for an unknown index.
func funcType(m *wasm.Module, idx uint32) (wasm.FuncType, bool) {
	if m == nil || m.FuncTypeOf(idx) == nil {
		return wasm.FuncType{}, false
	}
	return *m.FuncTypeOf(idx), true
}

func globalType(m *wasm.Module, idx uint32) (wasm.GlobalType, bool) {
	if m == nil || m.GlobalTypeOf(idx) == nil {
		return wasm.GlobalType{}, false
	}
	return *m.GlobalTypeOf(idx), true
}

func tableType(m *wasm.Module, idx uint32) (wasm.TableType, bool) {
	if m == nil || m.TableTypeOf(idx) == nil {
		return wasm.TableType{}, false
	}
	return *m.TableTypeOf(idx), true
}
