package component_test

import (
	"context"
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
