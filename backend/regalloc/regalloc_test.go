package regalloc

import (
	"fmt"
	"math/rand"
	"slices"
	"strings"
	"testing"

	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/lower/ir"
)

// The tests run each function twice with a small evaluator: once on SSA
// values (the reference) and once on the machine state the allocation
// describes (registers, stack slots, edge copies sequenced by Sequence,
// calls that overwrite every caller-saved register). Any interference the
// allocator lets through changes a result.

// testConfig has few registers so that spilling, slot reuse and the
// callee-saved rule are exercised: Int r0..r3 (r2, r3 callee-saved),
// Float r8, r9 (both caller-saved).
func testConfig(nInt int) *Config {
	c := &Config{
		ClassOf: func(t ir.Type) Class {
			if t == ir.F32 || t == ir.F64 || t == ir.V128 {
				return Float
			}
			return Int
		},
		SlotSize: func(t ir.Type) int {
			if t == ir.V128 {
				return 16
			}
			return 8
		},
		Clobbers: func(in *ir.Instr) bool { return in.Op == ir.OpCall },
	}
	for r := 0; r < nInt; r++ {
		c.Allocatable[Int] = append(c.Allocatable[Int], Reg(r))
		if r >= nInt/2 {
			c.CalleeSaved = c.CalleeSaved.With(Reg(r))
		}
	}
	c.Allocatable[Float] = []Reg{8, 9}
	return c
}

const scratchReg = 63

// machine is the evaluator's state for one run.
type machine struct {
	f      *ir.Func
	alloc  *Allocation // nil: evaluate on SSA values
	vals   []uint64
	regs   [64]uint64
	slots  map[int32]uint64
	cfg    *Config
	steps  int
	garble uint64
}

func (m *machine) get(v ir.Value) uint64 {
	if m.alloc == nil {
		return m.vals[v]
	}
	if m.alloc.Locs[v].Remat {
		return m.remat(v)
	}
	return m.load(m.alloc.Locs[v])
}

// remat recomputes a Remat value from its defining instruction.
func (m *machine) remat(v ir.Value) uint64 {
	for _, b := range m.f.Blocks {
		for _, in := range b.Instrs {
			if len(in.Results) == 1 && in.Results[0] == v {
				return eval(in, nil)
			}
		}
	}
	panic(fmt.Sprintf("v%d has no definition", v))
}

func (m *machine) load(l Loc) uint64 {
	if !l.Valid {
		panic("value without a location")
	}
	if l.InReg() {
		return m.regs[l.Reg]
	}
	return m.slots[l.Slot]
}

func (m *machine) store(l Loc, x uint64) {
	if l.InReg() {
		m.regs[l.Reg] = x
	} else {
		m.slots[l.Slot] = x
	}
}

func (m *machine) set(v ir.Value, x uint64) {
	if m.alloc == nil {
		m.vals[v] = x
		return
	}
	if m.alloc.Locs[v].Remat {
		return // nothing is emitted for the definition
	}
	m.store(m.alloc.Locs[v], x)
}

// edge passes e's arguments to its target's parameters.
func (m *machine) edge(e *ir.BlockCall) *ir.Block {
	if m.alloc == nil {
		args := make([]uint64, len(e.Args))
		for i, a := range e.Args {
			args[i] = m.vals[a]
		}
		for i, p := range e.Block.Params {
			m.vals[p] = args[i]
		}
		return e.Block
	}
	var moves [NumClasses][]Move
	var remats []int
	for i, a := range e.Args {
		p := e.Block.Params[i]
		if m.alloc.Locs[a].Remat {
			remats = append(remats, i)
			continue
		}
		c := m.cfg.ClassOf(m.f.Types[p])
		moves[c] = append(moves[c], Move{Dst: m.alloc.Locs[p], Src: m.alloc.Locs[a]})
	}
	for _, ms := range moves {
		Sequence(ms, RegLoc(scratchReg), func(dst, src Loc) { m.store(dst, m.load(src)) })
	}
	for _, i := range remats {
		m.store(m.alloc.Locs[e.Block.Params[i]], m.remat(e.Args[i]))
	}
	return e.Block
}

func (m *machine) run(args []uint64) []uint64 {
	b := m.f.Blocks[0]
	for i, p := range b.Params {
		m.set(p, args[i])
	}
	for {
		for _, in := range b.Instrs {
			if m.steps++; m.steps > 100000 {
				panic("runaway")
			}
			a := make([]uint64, len(in.Args))
			for i, v := range in.Args {
				a[i] = m.get(v)
			}
			switch in.Op {
			case ir.OpJump:
				b = m.edge(in.Succs[0])
			case ir.OpBrIf:
				if uint32(a[0]) != 0 {
					b = m.edge(in.Succs[0])
				} else {
					b = m.edge(in.Succs[1])
				}
			case ir.OpSwitch:
				k := int(uint32(a[0]))
				if k >= len(in.Succs)-1 {
					k = len(in.Succs) - 1
				}
				b = m.edge(in.Succs[k])
			case ir.OpReturn:
				return a
			case ir.OpCall:
				h := uint64(in.Index)
				for _, x := range a {
					h = h*31 + x
				}
				if m.alloc != nil {
					for r := range m.regs {
						if !m.cfg.CalleeSaved.Has(Reg(r)) {
							m.garble++
							m.regs[r] = 0xdead0000 + m.garble
						}
					}
				}
				for i, r := range in.Results {
					m.set(r, h+uint64(i))
				}
			default:
				m.set(in.Results[0], eval(in, a))
			}
			if in.Op.Info().Terminator {
				break
			}
		}
	}
}

func eval(in *ir.Instr, a []uint64) uint64 {
	switch in.Op.String() {
	case "i32.const", "i64.const", "f64.const":
		return in.Const
	case "i32.add":
		return uint64(uint32(a[0] + a[1]))
	case "i32.sub":
		return uint64(uint32(a[0] - a[1]))
	case "i32.mul":
		return uint64(uint32(a[0] * a[1]))
	case "i32.lt_u":
		if uint32(a[0]) < uint32(a[1]) {
			return 1
		}
		return 0
	case "i64.add", "f64.add":
		return a[0] + a[1]
	case "i64.extend_i32_u":
		return uint64(uint32(a[0]))
	case "select":
		if uint32(a[2]) != 0 {
			return a[0]
		}
		return a[1]
	}
	panic("evaluator lacks " + in.Op.String())
}

func check(t *testing.T, src string, nInt int, args ...uint64) *Allocation {
	t.Helper()
	return checkCfg(t, src, testConfig(nInt), args...)
}

// tieConfig is testConfig with the integer adds, subs and muls tied to
// operand 0 (the evaluator reads every operand before writing the
// result, as the ISA rules TiesOperand0 accepts do).
func tieConfig(nInt int) *Config {
	c := testConfig(nInt)
	c.TiesOperand0 = func(in *ir.Instr) bool {
		switch in.Op {
		case ir.Op(wasm.OpI32Add), ir.Op(wasm.OpI32Sub), ir.Op(wasm.OpI32Mul), ir.Op(wasm.OpI64Add):
			return true
		}
		return false
	}
	return c
}

// rematConfig is tieConfig with the integer constants recomputed at
// each use.
func rematConfig(nInt int) *Config {
	c := tieConfig(nInt)
	c.Remat = func(in *ir.Instr) bool {
		return in.Op == ir.Op(wasm.OpI32Const) || in.Op == ir.Op(wasm.OpI64Const)
	}
	return c
}

func checkCfg(t *testing.T, src string, cfg *Config, args ...uint64) *Allocation {
	t.Helper()
	mod, err := ir.Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	f := mod.Funcs[0]
	alloc, err := Allocate(f, cfg)
	if err != nil {
		t.Fatal(err)
	}
	want := (&machine{f: f, vals: make([]uint64, len(f.Types)), cfg: cfg}).run(args)
	got := (&machine{f: f, alloc: alloc, slots: map[int32]uint64{}, cfg: cfg}).run(args)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		var locs []string
		for v, l := range alloc.Locs {
			locs = append(locs, fmt.Sprintf("v%d:%v", v, l))
		}
		t.Fatalf("allocated run returned %v, SSA run %v\nlocations: %s", got, want, strings.Join(locs, " "))
	}
	for v, l := range alloc.Locs {
		if !l.Valid || l.Remat {
			continue
		}
		if l.InReg() && !alloc.Used.Has(l.Reg) {
			t.Errorf("v%d in r%d, which Used lacks", v, l.Reg)
		}
		if !l.InReg() && int(l.Slot)+cfg.SlotSize(f.Types[v]) > alloc.SpillSize {
			t.Errorf("v%d in slot %d beyond the spill area of %d bytes", v, l.Slot, alloc.SpillSize)
		}
	}
	return alloc
}

// A loop whose two parameters swap every iteration: the edge copy is a
// cycle that Sequence must break through the scratch register.
func TestSwapLoop(t *testing.T) {
	src := `func f0 (i32, i32, i32) -> (i32, i32) {
b0(v0:i32, v1:i32, v2:i32):
    jump b1(v0, v1, v2)
b1(v3:i32, v4:i32, v5:i32):
    v6:i32 = i32.const 1
    v7:i32 = i32.sub v5, v6
    v8:i32 = i32.const 3
    v9:i32 = i32.mul v3, v8
    brif v7, b1(v4, v9, v7), b2
b2:
    return v3, v4
}`
	check(t, src, 4, 5, 7, 5)
	check(t, src, 2, 5, 7, 4)
}

// Many values live at once with two integer registers: most are spilled,
// and slots are reused after their values die.
func TestSpillPressure(t *testing.T) {
	var b strings.Builder
	b.WriteString("func f0 (i32) -> (i32) {\nb0(v0:i32):\n")
	n := 30
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "    v%d:i32 = i32.const %d\n", i, i*7)
	}
	acc := 0
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "    v%d:i32 = i32.add v%d, v%d\n", n+i, acc, i)
		acc = n + i
	}
	fmt.Fprintf(&b, "    return v%d\n}\n", acc)
	a := check(t, b.String(), 2, 11)
	if a.SpillSize == 0 {
		t.Errorf("30 live values in 2 registers spilled nothing")
	}
}

// Values live across calls must survive the clobber: only callee-saved
// registers or slots, and floats (no callee-saved float register) spill.
func TestAcrossCalls(t *testing.T) {
	src := `func f0 (i32, i64, f64) -> (i32, i64, f64) {
b0(v0:i32, v1:i64, v2:f64):
    v3:i32 = i32.const 10
    v4:i32 = call func=1 v0, v3
    v5:i32 = i32.add v4, v0
    v6:i64 = call func=2 v1
    v7:i64 = i64.add v6, v1
    v8:i32 = i32.const 4
    v9:i32 = call func=3 v8
    v10:f64 = f64.add v2, v2
    v11:i32 = i32.add v9, v5
    return v11, v7, v10
}`
	for _, n := range []int{2, 4, 6} {
		a := check(t, src, n, 3, 1<<40, 12345)
		if l := a.Locs[2]; l.InReg() {
			t.Errorf("%d regs: the f64 parameter lives across calls in r%d, which calls clobber", n, l.Reg)
		}
	}
}

// A switch whose edges carry different arguments to one block, and a
// diamond merging through a parameter.
func TestSwitchEdges(t *testing.T) {
	src := `func f0 (i32, i32) -> (i32) {
b0(v0:i32, v1:i32):
    v2:i32 = i32.const 100
    v3:i32 = i32.add v1, v2
    switch v0, b1(v1, v3), b1(v3, v1), b2(v2), b1(v2, v2)
b1(v4:i32, v5:i32):
    v6:i32 = i32.sub v4, v5
    jump b2(v6)
b2(v7:i32):
    v8:i32 = i32.add v7, v1
    return v8
}`
	for sel := uint64(0); sel < 5; sel++ {
		check(t, src, 2, sel, 9)
		check(t, src, 4, sel, 9)
	}
}

// A result tied to operand 0 takes its register exactly when operand 0
// dies at the instruction and is not also another operand; a loop
// counter's update then lands in its parameter's register.
func TestTiedOperand(t *testing.T) {
	src := `func f0 (i32, i32) -> (i32, i32) {
b0(v0:i32, v1:i32):
    v2:i32 = i32.add v0, v1
    v3:i32 = i32.add v2, v2
    v4:i32 = i32.sub v3, v1
    v5:i32 = i32.add v1, v4
    v6:i32 = i32.mul v5, v1
    jump b1(v6, v4)
b1(v7:i32, v8:i32):
    v9:i32 = i32.const 1
    v10:i32 = i32.sub v7, v9
    v11:i32 = i32.add v8, v10
    v12:i32 = i32.lt_u v10, v9
    brif v12, b2, b1(v10, v11)
b2:
    return v10, v11
}`
	a := checkCfg(t, src, tieConfig(4), 3, 4)
	same := func(x, y ir.Value) bool { return a.Locs[x] == a.Locs[y] }
	for _, c := range []struct {
		res, op ir.Value
		want    bool
	}{
		{2, 0, true},  // v0 dies
		{3, 2, false}, // v2 is both operands
		{4, 3, true},  // v3 dies, v1 lives on in its own register
		{5, 1, false}, // v1 is used later
		{6, 5, true},  // v5 dies
		{10, 7, true}, // the counter's update
		{11, 8, true}, // v8 dies; v10 lives on
	} {
		if got := same(c.res, c.op); got != c.want {
			t.Errorf("v%d in %v, operand v%d in %v: shared = %v, want %v", c.res, a.Locs[c.res], c.op, a.Locs[c.op], got, c.want)
		}
	}
	// Constants recomputed at each use get no register.
	r := checkCfg(t, src, rematConfig(4), 3, 4)
	if !r.Locs[9].Remat {
		t.Errorf("remat config: constant v9 in %v", r.Locs[9])
	}
	// Without the hook, no result shares an operand's register.
	b := checkCfg(t, src, testConfig(4), 3, 4)
	if b.Locs[2] == b.Locs[0] {
		t.Errorf("untied config: v2 shares v0's register %v", b.Locs[0])
	}
}

// Under pressure (three registers, constants rematerialised), a value
// merely live through a loop is spilled before one the loop uses, though
// the latter ends later (spilling the furthest end would pick v1).
func TestSpillOutsideLoop(t *testing.T) {
	src := `func f0 (i32, i32, i32) -> (i32) {
b0(v0:i32, v1:i32, v2:i32):
    v10:i32 = i32.const 0
    jump b1(v0, v10)
b1(v3:i32, v4:i32):
    v5:i32 = i32.add v4, v1
    v6:i32 = i32.const 1
    v7:i32 = i32.sub v3, v6
    brif v7, b1(v7, v5), b2
b2:
    v8:i32 = i32.add v5, v2
    v9:i32 = i32.add v8, v1
    return v9
}`
	a := checkCfg(t, src, rematConfig(3), 5, 7, 100)
	if a.Locs[2].InReg() || !a.Locs[1].InReg() {
		t.Errorf("v1 (used in the loop) in %v, v2 (not) in %v", a.Locs[1], a.Locs[2])
	}
}

// A call on a cold exit laid out inside a loop (b2, between the header
// and the latch) is inside the intervals of the loop's values, but they
// are dead there, so they keep caller-saved registers; v1, used after
// the call, must not.
func TestCallOnColdExit(t *testing.T) {
	src := `func f0 (i32, i32) -> (i32) {
b0(v0:i32, v1:i32):
    v2:i32 = i32.const 0
    jump b1(v0, v2)
b1(v3:i32, v4:i32):
    v5:i32 = i32.lt_u v1, v3
    brif v5, b3, b2
b2:
    v6:i32 = call func=1 v4
    v7:i32 = i32.add v6, v1
    return v7
b3:
    v8:i32 = i32.add v4, v3
    v9:i32 = i32.const 1
    v10:i32 = i32.sub v3, v9
    brif v10, b1(v10, v8), b4
b4:
    return v8
}`
	for _, args := range [][]uint64{{5, 0}, {5, 3}} {
		a := check(t, src, 4, args...)
		var order []string
		for _, b := range a.Order {
			order = append(order, fmt.Sprintf("b%d", b.ID))
		}
		if got := strings.Join(order, " "); got != "b0 b1 b2 b3 b4" {
			t.Fatalf("layout %s: the call is not inside the loop", got)
		}
		cfg := testConfig(4)
		for _, v := range []ir.Value{3, 4} {
			if l := a.Locs[v]; !l.InReg() || cfg.CalleeSaved.Has(l.Reg) {
				t.Errorf("loop value v%d in %v, want a caller-saved register", v, l)
			}
		}
		if l := a.Locs[1]; l.InReg() && !cfg.CalleeSaved.Has(l.Reg) {
			t.Errorf("v1, live across the call, in caller-saved r%d", l.Reg)
		}
	}
}

// Random functions: a chain of diamonds and counted loops over a pool of
// values, calls scattered in, checked with several register counts.
func TestRandomFunctions(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for iter := 0; iter < 200; iter++ {
		src := randomFunc(rng)
		for _, n := range []int{2, 3, 6} {
			t.Run(fmt.Sprintf("%d/%d", iter, n), func(t *testing.T) {
				x, y := uint64(rng.Intn(100)), uint64(rng.Intn(100))
				check(t, src, n, x, y, 3)
				checkCfg(t, src, tieConfig(n), x, y, 3)
				checkCfg(t, src, rematConfig(n), x, y, 3)
			})
		}
	}
}

// randomFunc builds a function (i32, i32, i32) -> (i32, i32) as text.
func randomFunc(rng *rand.Rand) string {
	var b strings.Builder
	next := 3
	pool := []int{0, 1, 2}
	newv := func() int { next++; return next - 1 }
	pickv := func() int { return pool[rng.Intn(len(pool))] }
	blk := 0
	newb := func() int { blk++; return blk }
	b.WriteString("func f0 (i32, i32, i32) -> (i32, i32) {\nb0(v0:i32, v1:i32, v2:i32):\n")
	straight := func() {
		for k := rng.Intn(5); k >= 0; k-- {
			v := newv()
			switch rng.Intn(5) {
			case 0:
				fmt.Fprintf(&b, "    v%d:i32 = i32.const %d\n", v, rng.Intn(50))
			case 1:
				fmt.Fprintf(&b, "    v%d:i32 = call func=%d v%d, v%d\n", v, rng.Intn(9), pickv(), pickv())
			case 2:
				fmt.Fprintf(&b, "    v%d:i32 = select v%d, v%d, v%d\n", v, pickv(), pickv(), pickv())
			default:
				op := []string{"add", "sub", "mul"}[rng.Intn(3)]
				fmt.Fprintf(&b, "    v%d:i32 = i32.%s v%d, v%d\n", v, op, pickv(), pickv())
			}
			pool = append(pool, v)
		}
	}
	for seg := rng.Intn(4) + 1; seg > 0; seg-- {
		straight()
		switch rng.Intn(2) {
		case 0: // diamond: b -> (t | e) -> join(p)
			t, e, j := newb(), newb(), newb()
			fmt.Fprintf(&b, "    brif v%d, b%d, b%d\n", pickv(), t, e)
			saved := append([]int(nil), pool...)
			fmt.Fprintf(&b, "b%d:\n", t)
			straight()
			fmt.Fprintf(&b, "    jump b%d(v%d, v%d)\n", j, pickv(), pickv())
			pool = saved
			fmt.Fprintf(&b, "b%d:\n", e)
			straight()
			fmt.Fprintf(&b, "    jump b%d(v%d, v%d)\n", j, pickv(), pickv())
			pool = saved
			p, q := newv(), newv()
			fmt.Fprintf(&b, "b%d(v%d:i32, v%d:i32):\n", j, p, q)
			pool = append(pool, p, q)
		case 1: // loop with a counter and two carried values
			h, x := newb(), newb()
			c0 := newv()
			fmt.Fprintf(&b, "    v%d:i32 = i32.const %d\n", c0, rng.Intn(4)+1)
			a0, a1 := pickv(), pickv()
			fmt.Fprintf(&b, "    jump b%d(v%d, v%d, v%d)\n", h, c0, a0, a1)
			c, p, q := newv(), newv(), newv()
			fmt.Fprintf(&b, "b%d(v%d:i32, v%d:i32, v%d:i32):\n", h, c, p, q)
			saved := append([]int(nil), pool...)
			pool = append(pool, c, p, q)
			straight()
			one, dec := newv(), newv()
			fmt.Fprintf(&b, "    v%d:i32 = i32.const 1\n    v%d:i32 = i32.sub v%d, v%d\n", one, dec, c, one)
			np, nq := pickv(), pickv()
			if rng.Intn(2) == 0 {
				np, nq = q, p
			}
			fmt.Fprintf(&b, "    brif v%d, b%d(v%d, v%d, v%d), b%d\n", dec, h, dec, np, nq, x)
			fmt.Fprintf(&b, "b%d:\n", x)
			pool = append(saved, p, q)
		}
	}
	straight()
	fmt.Fprintf(&b, "    return v%d, v%d\n}\n", pickv(), pickv())
	return b.String()
}

func TestSequenceCycle(t *testing.T) {
	// r0 <- r1 <- r2 <- r0, and r3 <- r0 (a fan-out from the cycle).
	state := map[Loc]int{RegLoc(0): 0, RegLoc(1): 1, RegLoc(2): 2, RegLoc(3): 3}
	moves := []Move{{RegLoc(0), RegLoc(1)}, {RegLoc(1), RegLoc(2)}, {RegLoc(2), RegLoc(0)}, {RegLoc(3), RegLoc(0)}}
	Sequence(moves, RegLoc(9), func(dst, src Loc) { state[dst] = state[src] })
	want := map[Loc]int{RegLoc(0): 1, RegLoc(1): 2, RegLoc(2): 0, RegLoc(3): 0}
	for l, v := range want {
		if state[l] != v {
			t.Errorf("%v = %d, want %d", l, state[l], v)
		}
	}
}

// PreservedFor narrows the registers a value may keep across a call by
// its type: here r9 is callee-saved for an f64 but not for a v128 (as
// AArch64's d8–d15 are only 64-bit callee-saved).
func TestPreservedFor(t *testing.T) {
	for _, typ := range []string{"f64", "v128"} {
		src := `func f0 (` + typ + `) -> (` + typ + `) {
b0(v0:` + typ + `):
    v1:i32 = i32.const 1
    v2:i32 = call func=1 v1
    return v0
}`
		mod, err := ir.Parse(src)
		if err != nil {
			t.Fatal(err)
		}
		cfg := testConfig(4)
		cfg.CalleeSaved = cfg.CalleeSaved.With(9)
		for _, narrow := range []bool{false, true} {
			cfg.PreservedFor = nil
			if narrow {
				cfg.PreservedFor = func(t ir.Type) RegSet {
					if t == ir.V128 {
						return cfg.CalleeSaved &^ (1 << 9)
					}
					return cfg.CalleeSaved
				}
			}
			a, err := Allocate(mod.Funcs[0], cfg)
			if err != nil {
				t.Fatal(err)
			}
			l := a.Locs[0]
			inR9 := l.InReg() && l.Reg == 9
			if want := !narrow || typ == "f64"; inR9 != want {
				t.Errorf("%s, PreservedFor set %v: parameter in %v, want r9: %v", typ, narrow, l, want)
			}
		}
	}
}

// TestSlotsKeepTheirClass: integer and float values spilled around one
// edge must not share a stack slot, since each class's parallel copy runs
// on its own (a float argument's slot reused for an integer parameter of
// the target was overwritten by the integer copy before the float copy
// read it).
func TestSlotsKeepTheirClass(t *testing.T) {
	const n = 12
	var src strings.Builder
	src.WriteString("func f0 () -> (i32) {\nb0:\n")
	var args, params []string
	for i := 0; i < n; i++ {
		fmt.Fprintf(&src, "    v%d:i32 = i32.const %d\n    v%d:f64 = f64.const %d\n", 2*i, i, 2*i+1, i)
	}
	for i := 0; i < n; i++ { // rotate, so that each class's values cross
		args = append(args, fmt.Sprintf("v%d", 2*((i+1)%n)), fmt.Sprintf("v%d", 2*((i+5)%n)+1))
		params = append(params, fmt.Sprintf("v%d:i32", 100+2*i), fmt.Sprintf("v%d:f64", 101+2*i))
	}
	fmt.Fprintf(&src, "    jump b1(%s)\nb1(%s):\n", strings.Join(args, ", "), strings.Join(params, ", "))
	acc := "v100"
	for i := 1; i < n; i++ {
		fmt.Fprintf(&src, "    v%d:i32 = i32.add %s, v%d\n", 200+i, acc, 100+2*i)
		acc = fmt.Sprintf("v%d", 200+i)
	}
	fmt.Fprintf(&src, "    return %s\n}\n", acc)
	mod, err := ir.Parse(src.String())
	if err != nil {
		t.Fatal(err)
	}
	f := mod.Funcs[0]
	cfg := testConfig(2)
	a, err := Allocate(f, cfg)
	if err != nil {
		t.Fatal(err)
	}
	classOf := map[int32]Class{}
	for v, l := range a.Locs {
		if !l.Valid || l.InReg() {
			continue
		}
		c := cfg.ClassOf(f.Types[v])
		if prev, ok := classOf[l.Slot]; ok && prev != c {
			t.Fatalf("slot %d holds values of both classes", l.Slot)
		}
		classOf[l.Slot] = c
	}
	if len(classOf) < 4 {
		t.Fatalf("only %d slots used; the test needs spilling of both classes", len(classOf))
	}
}

// TestSequenceRandom checks Sequence on random parallel copies: random
// permutations (cycles) of registers and slots with fan-out and moves
// onto themselves, against the simultaneous-assignment result. Up to 24
// locations, so that both ways of numbering locations (locIDs) run.
func TestSequenceRandom(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	locs := func(n int) []Loc {
		var out []Loc
		for i := 0; i < n; i++ {
			if i%3 == 0 {
				out = append(out, SlotLoc(int32(8*i)))
			} else {
				out = append(out, RegLoc(Reg(i)))
			}
		}
		return out
	}
	for iter := 0; iter < 2000; iter++ {
		n := rng.Intn(24) + 1
		all := locs(n)
		perm := rng.Perm(n)
		var moves []Move
		for i, d := range all {
			if rng.Intn(4) == 0 {
				continue // this destination is not written
			}
			src := all[perm[i]]
			if rng.Intn(5) == 0 {
				src = all[rng.Intn(n)] // fan-out: a source read twice
			}
			moves = append(moves, Move{Dst: d, Src: src})
		}
		state := map[Loc]int{}
		for i, l := range all {
			state[l] = i
		}
		want := map[Loc]int{}
		for l, v := range state {
			want[l] = v
		}
		for _, m := range moves {
			want[m.Dst] = state[m.Src]
		}
		scratch := RegLoc(63)
		Sequence(moves, scratch, func(dst, src Loc) { state[dst] = state[src] })
		for _, l := range all {
			if state[l] != want[l] {
				t.Fatalf("moves %v: %v = %d, want %d", moves, l, state[l], want[l])
			}
		}
	}
}

// TestScratchReuse allocates random functions of different sizes one after
// another with one Scratch and checks each allocation equals the one
// Allocate makes with fresh storage.
func TestScratchReuse(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	var s Scratch
	for i := range 200 {
		mod, err := ir.Parse(randomFunc(rng))
		if err != nil {
			t.Fatal(err)
		}
		f, cfg := mod.Funcs[0], rematConfig(2+i%4)
		want, err := Allocate(f, cfg)
		if err != nil {
			t.Fatal(err)
		}
		got, err := AllocateIn(f, cfg, &s)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.Locs, want.Locs) || got.SpillSize != want.SpillSize || got.Used != want.Used {
			t.Fatalf("function %d: the allocation with a reused scratch differs", i)
		}
	}
}
