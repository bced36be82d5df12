package rtlib

import (
	"context"
	"syscall"
	"testing"

	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// The benchmarks measure the fixed costs of crossing between Go and native
// code (DESIGN.md §9): a Go→wasm call of an empty function, a wasm→Go host
// call and back, and a builtin (memory.grow) exit. The *Loop variants make
// b.N crossings inside one wasm call, so ns/op is the cost of one crossing.

func BenchmarkCallEmpty(b *testing.B) {
	f := newBasic(b, double()).ExportedFunc("nop")
	ctx := context.Background()
	b.ReportAllocs()
	cpuTimer(b)
	for b.Loop() {
		if _, err := f.Call(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCallAdd(b *testing.B) {
	f := newBasic(b, double()).ExportedFunc("add")
	ctx := context.Background()
	b.ReportAllocs()
	cpuTimer(b)
	for b.Loop() {
		if _, err := f.Call(ctx, I32(1), I32(2)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCallCancellable is CallEmpty with a context that can be
// cancelled, which arms the interrupt on every call.
func BenchmarkCallCancellable(b *testing.B) {
	f := newBasic(b, double()).ExportedFunc("nop")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b.ReportAllocs()
	cpuTimer(b)
	for b.Loop() {
		if _, err := f.Call(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkHostRoundTrip(b *testing.B) {
	f := newBasic(b, abi.HostFunc{
		Params: []abi.ValType{abi.I32}, Results: []abi.ValType{abi.I32},
		Fn: func(_ context.Context, _ abi.Caller, stack []uint64) error {
			stack[0] = I32(AsI32(stack[0]) + 1)
			return nil
		},
	}).ExportedFunc("host_loop")
	b.ReportAllocs()
	cpuTimer(b)
	b.ResetTimer()
	if _, err := f.Call(context.Background(), I32(int32(b.N))); err != nil {
		b.Fatal(err)
	}
}

func BenchmarkMemoryGrowBuiltin(b *testing.B) {
	f := newBasic(b, double()).ExportedFunc("grow_loop")
	b.ReportAllocs()
	cpuTimer(b)
	b.ResetTimer()
	if _, err := f.Call(context.Background(), I32(int32(b.N))); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkCallHostFromGo is a Go→wasm→Go→wasm→Go round trip.
func BenchmarkCallHostFromGo(b *testing.B) {
	f := newBasic(b, double()).ExportedFunc("call_host")
	ctx := context.Background()
	b.ReportAllocs()
	cpuTimer(b)
	for b.Loop() {
		if _, err := f.Call(ctx, I32(1)); err != nil {
			b.Fatal(err)
		}
	}
}

// cpuTimer reports CPU time per operation next to wall time: on a loaded
// machine wall time includes the time the benchmark was descheduled.
func cpuTimer(b *testing.B) {
	start := cpuNow()
	b.Cleanup(func() {
		if b.N > 0 {
			b.ReportMetric(float64(cpuNow()-start)/float64(b.N), "cpu-ns/op")
		}
	})
}

func cpuNow() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// BenchmarkLoad loads and releases the committed FuzzLoad seed of
// basic.wat: parsing, mapping, relocating and unmapping an object.
func BenchmarkLoad(b *testing.B) {
	obj, err := readFuzzSeed("testdata/fuzz/FuzzLoad/basic-" + hostArch.String())
	if err != nil {
		b.Fatal(err)
	}
	cpuTimer(b)
	for b.Loop() {
		m, err := Load(obj)
		if err != nil {
			b.Fatal(err)
		}
		m.Close()
	}
}
