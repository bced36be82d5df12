package component_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	rc "github.com/wasmaot/wasmaot/rtlib/component"
)

// linked instantiates the provider and a consumer whose "test:x/text"
// import is the provider's export: each has its own memory, and a call
// from one to the other is lifted out of the consumer's memory and
// lowered into the provider's by the host.
func linked(t testing.TB) (provider, consumer *rc.Instance) {
	needLLVM(t)
	wit := string(readFile(t, "testdata/link.wit"))
	p := instantiate(t, buildComponent(t, wit, "provider", readFile(t, "testdata/provider.wat")), rc.Config{})
	text, err := p.Export("test:x/text")
	if err != nil {
		t.Fatal(err)
	}
	c := instantiate(t, buildComponent(t, wit, "consumer", readFile(t, "testdata/consumer.wat")),
		rc.Config{Instances: map[string]*rc.HostInstance{"test:x/text": text}})
	return p, c
}

func TestComponentToComponent(t *testing.T) {
	needLLVM(t)
	_, c := linked(t)
	ctx := context.Background()
	run, err := c.Func("run")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"", "hello, world", strings.Repeat("abc ", 5000), "ünïcode stays"} {
		got, err := run.Call(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		if got != strings.ToUpper(s) && !strings.Contains(s, "ü") {
			t.Fatalf("run(%.20q) = %.20q", s, got)
		}
	}
	add2, err := c.Func("add2")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := add2.Call(ctx, uint32(40), uint32(2)); err != nil || got != uint32(42) {
		t.Fatalf("add2 = %v, %v", got, err)
	}
}

// BenchmarkStringHost: a host → guest call with a 13-byte string argument
// and result (lowered into the guest, lifted back, post-return).
func BenchmarkStringHost(b *testing.B) {
	p, _ := linked(b)
	shout, err := p.Func("test:x/text#shout")
	if err != nil {
		b.Fatal(err)
	}
	benchCall(b, shout, "hello, world!")
}

// BenchmarkStringComponents: host → consumer → provider and back, the
// string crossing both memories.
func BenchmarkStringComponents(b *testing.B) {
	_, c := linked(b)
	run, err := c.Func("run")
	if err != nil {
		b.Fatal(err)
	}
	benchCall(b, run, "hello, world!")
}

// BenchmarkScalarHost and BenchmarkScalarComponents: the same for two
// u32 arguments and a u32 result.
func BenchmarkScalarHost(b *testing.B) {
	p, _ := linked(b)
	add, err := p.Func("test:x/text#add")
	if err != nil {
		b.Fatal(err)
	}
	benchCall(b, add, uint32(1), uint32(2))
}

func BenchmarkScalarComponents(b *testing.B) {
	_, c := linked(b)
	add2, err := c.Func("add2")
	if err != nil {
		b.Fatal(err)
	}
	benchCall(b, add2, uint32(1), uint32(2))
}

func benchCall(b *testing.B, f *rc.Func, args ...rc.Value) {
	ctx := context.Background()
	b.ResetTimer()
	for range b.N {
		if _, err := f.Call(ctx, args...); err != nil {
			b.Fatal(err)
		}
	}
}

// compose encodes a component that nests the provider and the consumer,
// instantiates the provider, passes its "test:x/text" export to the
// consumer and re-exports the consumer's run and add2: a composition, as
// wasm-tools compose or wac would write it.
func compose(provider, consumer []byte) []byte {
	uleb := func(b []byte, v int) []byte {
		for {
			c := byte(v & 0x7f)
			v >>= 7
			if v != 0 {
				b = append(b, c|0x80)
				continue
			}
			return append(b, c)
		}
	}
	name := func(b []byte, s string) []byte { return append(uleb(b, len(s)), s...) }
	section := func(out []byte, id byte, body []byte) []byte {
		return append(uleb(append(out, id), len(body)), body...)
	}
	out := []byte{0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00}
	out = section(out, 4, provider)
	out = section(out, 4, consumer)
	out = section(out, 5, []byte{1, 0x00, 0, 0})                                       // instance 0: instantiate component 0
	out = section(out, 6, name([]byte{1, 0x05, 0x00, 0}, "test:x/text"))               // instance 1: its export
	out = section(out, 5, append(name([]byte{1, 0x00, 1, 1}, "test:x/text"), 0x05, 1)) // instance 2: consumer with it
	aliases := []byte{3}
	for _, f := range []string{"run", "add2", "add-loop"} {
		aliases = name(append(aliases, 0x01, 0x00, 2), f) // func: export f of instance 2
	}
	out = section(out, 6, aliases)
	exports := []byte{3}
	for i, f := range []string{"run", "add2", "add-loop"} {
		exports = append(name(append(exports, 0x00), f), 0x01, byte(i), 0x00)
	}
	return section(out, 11, exports)
}

// TestNestedComposition runs a composed component: both children are
// nested and inlined into one instance graph, each with its own memory,
// and run's string crosses from the consumer's memory into the
// provider's through the host.
func TestNestedComposition(t *testing.T) {
	needLLVM(t)
	wit := string(readFile(t, "testdata/link.wit"))
	outer := compose(buildComponent(t, wit, "provider", readFile(t, "testdata/provider.wat")),
		buildComponent(t, wit, "consumer", readFile(t, "testdata/consumer.wat")))
	// The reference validator accepts the composition too.
	dir := t.TempDir()
	write(t, filepath.Join(dir, "outer.wasm"), outer)
	if w := string(runTool(t, dir, "component", "wit", "outer.wasm")); !strings.Contains(w, "export run: func(s: string) -> string;") {
		t.Fatalf("wasm-tools reads the composition as:\n%s", w)
	}
	inst := instantiate(t, outer, rc.Config{})
	run, err := inst.Func("run")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := run.Call(context.Background(), "composed!"); err != nil || got != "COMPOSED!" {
		t.Fatalf("run = %v, %v", got, err)
	}
	add2, err := inst.Func("add2")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := add2.Call(context.Background(), uint32(2), uint32(3)); err != nil || got != uint32(5) {
		t.Fatalf("add2 = %v, %v", got, err)
	}
	// add-loop's calls are fused (u32 only, the provider calls nothing):
	// the same sum as through the host.
	_, linkedConsumer := linked(t)
	for _, inst := range []*rc.Instance{inst, linkedConsumer} {
		loop, err := inst.Func("add-loop")
		if err != nil {
			t.Fatal(err)
		}
		if got, err := loop.Call(context.Background(), uint32(1000)); err != nil || got != uint32(499500) {
			t.Fatalf("add-loop(1000) = %v, %v", got, err)
		}
	}
}

// composed instantiates the composition of provider and consumer.
func composed(t testing.TB) *rc.Instance {
	needLLVM(t)
	wit := string(readFile(t, "testdata/link.wit"))
	return instantiate(t, compose(buildComponent(t, wit, "provider", readFile(t, "testdata/provider.wat")),
		buildComponent(t, wit, "consumer", readFile(t, "testdata/consumer.wat"))), rc.Config{})
}

// BenchmarkCrossCallHost and BenchmarkCrossCallFused: one u32 call from
// the consumer's core code into the provider's (1,000 per op): routed
// through the host between two instances, and fused inside a composition.
func BenchmarkCrossCallHost(b *testing.B) {
	_, c := linked(b)
	benchLoop(b, c)
}

func BenchmarkCrossCallFused(b *testing.B) {
	benchLoop(b, composed(b))
}

func benchLoop(b *testing.B, inst *rc.Instance) {
	loop, err := inst.Func("add-loop")
	if err != nil {
		b.Fatal(err)
	}
	benchCall(b, loop, uint32(1000))
}
