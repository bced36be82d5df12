package arm64

import (
	"testing"

	"golang.org/x/arch/arm64/arm64asm"
)

// target decodes the branch at byte offset off of code and returns the
// byte offset it transfers to (or addresses, for ADR and literal loads).
func target(t *testing.T, code []byte, off int) (arm64asm.Inst, int) {
	t.Helper()
	inst, err := arm64asm.Decode(code[off:])
	if err != nil {
		t.Fatalf("+%#x: %v", off, err)
	}
	for _, arg := range inst.Args {
		if rel, ok := arg.(arm64asm.PCRel); ok {
			return inst, off + int(rel)
		}
	}
	t.Fatalf("+%#x: %v has no pc-relative operand", off, inst)
	return inst, 0
}

func TestBranchesShort(t *testing.T) {
	var a Asm
	back, fwd, data := a.NewLabel(), a.NewLabel(), a.NewLabel()
	a.Bind(back)
	a.Nop()
	sites := []int{}
	site := func(emit func()) { sites = append(sites, a.Len()); emit() }
	site(func() { a.BCond(NE, fwd) })
	site(func() { a.Cbz(true, X3, back) })
	site(func() { a.Cbnz(false, X4, fwd) })
	site(func() { a.Tbz(X5, 63, back) })
	site(func() { a.Tbnz(X6, 3, fwd) })
	site(func() { a.B(back) })
	site(func() { a.BL(fwd) })
	site(func() { a.AdrLabel(X7, data) })
	site(func() { a.LoadLiteral(V0+2, 16, data) })
	a.Bind(fwd)
	a.Ret()
	a.Bind(data)
	a.Nop()
	lay, err := a.Finish()
	if err != nil {
		t.Fatal(err)
	}
	want := []Label{fwd, back, fwd, back, fwd, back, fwd, data, data}
	for i, s := range sites {
		inst, to := target(t, lay.Code, lay.Offset(s))
		if to != a.LabelOffset(lay, want[i]) {
			t.Errorf("%v at %#x goes to %#x, want %#x", inst, lay.Offset(s), to, a.LabelOffset(lay, want[i]))
		}
	}
}

// TestBranchesRelaxed forces conditional branches out of range: each must
// become its inverted form over a B that reaches the label, and a branch
// that was in range only before another one grew must grow too.
func TestBranchesRelaxed(t *testing.T) {
	var a Asm
	far, mid, tb := a.NewLabel(), a.NewLabel(), a.NewLabel()
	c1 := a.Len()
	a.BCond(LT, mid) // in range until tbz below grows by one word
	c2 := a.Len()
	a.Tbz(X9, 40, tb) // 32 KiB range: out of range
	c3 := a.Len()
	a.Cbz(false, X1, far) // 1 MiB range: out of range
	for a.Len() < c1+(1<<18)-1 {
		a.Nop()
	}
	a.Bind(mid)
	for a.Len() < c2+(1<<13)+5 {
		a.Nop()
	}
	a.Bind(tb)
	for a.Len() < c3+(1<<18)+10 {
		a.Nop()
	}
	a.Bind(far)
	a.Ret()
	back := a.Len()
	a.BCond(EQ, mid) // backward, in range
	lay, err := a.Finish()
	if err != nil {
		t.Fatal(err)
	}
	if len(lay.longs) != 3 {
		t.Fatalf("%d branches lengthened, want 3", len(lay.longs))
	}
	for _, c := range []struct {
		at   int
		op   arm64asm.Op
		cond string
		to   Label
	}{{c1, arm64asm.B, "GE", mid}, {c2, arm64asm.TBNZ, "", tb}, {c3, arm64asm.CBNZ, "", far}} {
		off := lay.Offset(c.at)
		inst, skip := target(t, lay.Code, off)
		if inst.Op != c.op || skip != off+8 {
			t.Errorf("+%#x: %v, want %v over the next instruction", off, inst, c.op)
		}
		if c.cond != "" && inst.Args[0].String() != c.cond {
			t.Errorf("+%#x: %v, want condition %s", off, inst, c.cond)
		}
		jmp, to := target(t, lay.Code, off+4)
		if jmp.Op != arm64asm.B || to != a.LabelOffset(lay, c.to) {
			t.Errorf("+%#x: %v to %#x, want B to %#x", off+4, jmp, to, a.LabelOffset(lay, c.to))
		}
	}
	inst, to := target(t, lay.Code, lay.Offset(back))
	if to != a.LabelOffset(lay, mid) || len(lay.Code) != 4*(a.Len()+3) {
		t.Errorf("backward %v goes to %#x, want %#x (code %d bytes)", inst, to, a.LabelOffset(lay, mid), len(lay.Code))
	}
}

func TestBranchErrors(t *testing.T) {
	var a Asm
	a.B(a.NewLabel())
	if _, err := a.Finish(); err == nil {
		t.Error("branch to an unbound label accepted")
	}
	var b Asm
	l := b.NewLabel()
	b.AdrLabel(X0, l)
	for b.Len() < 1<<18+1 {
		b.Nop()
	}
	b.Bind(l)
	if _, err := b.Finish(); err == nil {
		t.Error("ADR beyond 1 MiB accepted")
	}
}
