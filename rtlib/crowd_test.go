package rtlib

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// residentBytes is the process's resident set size (0 if unknown).
func residentBytes() int64 {
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	var size, resident int64
	if _, err := fmt.Sscan(string(data), &size, &resident); err != nil {
		return 0
	}
	return resident * int64(os.Getpagesize())
}

// TestHundredThousandInstances keeps 100,000 instances of a module with
// one page of memory (the basic module capped at one page) alive at once:
// they must fit under Linux's default vm.max_map_count of 65,530, which
// about 32,700 of them reached before instances were carved from slabs.
func TestHundredThousandInstances(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping: 100,000 instances take seconds and about 1 GB (-short)")
	}
	if os.Getenv("WASMAOT_EMULATED") != "" {
		t.Skip("skipping under emulation (WASMAOT_EMULATED, set by make unit-arm64): 100,000 instances take about 5 minutes under qemu")
	}
	mod, err := Load(basicObject(t))
	if err != nil {
		t.Fatal(err)
	}
	defer mod.Close()
	cfg := Config{MaxMemoryPages: 1, HostFuncs: map[string]map[string]abi.HostFunc{"env": {"host": double()}}}
	before, rssBefore := countMappings(), residentBytes()
	start := time.Now()
	n := 100_000
	if s := os.Getenv("CROWD_N"); s != "" {
		fmt.Sscan(s, &n)
	}
	insts := make([]*Instance, 0, n)
	defer func() {
		for _, inst := range insts {
			inst.Close()
		}
	}()
	for range n {
		inst, err := mod.Instantiate(context.Background(), cfg)
		if err != nil {
			t.Fatalf("instance %d: %v", len(insts), err)
		}
		insts = append(insts, inst)
	}
	elapsed := time.Since(start)
	after, rss := countMappings(), residentBytes()
	t.Logf("%d live instances in %v: %d mappings (%+d, %.4f per instance), RSS %+d MiB (%.1f KiB per instance)",
		n, elapsed.Round(time.Millisecond), after, after-before, float64(after-before)/float64(n),
		(rss-rssBefore)>>20, float64(rss-rssBefore)/float64(n)/1024)
	if limit := maxMapCount(); after >= limit-mapHeadroom(limit) {
		t.Errorf("%d mappings, beyond the budget of %d", after, limit-mapHeadroom(limit))
	}
	// Every instance is usable, and they are independent.
	for i, inst := range insts[:100] {
		call(t, inst, "store", I32(0), I32(int32(i)))
	}
	for i, inst := range insts[:100] {
		if got := AsI32(call(t, inst, "load", I32(0))[0]); got != int32(i) {
			t.Fatalf("instance %d reads %d", i, got)
		}
	}
}

// TestMappingCeiling lowers the mapping budget to just above what the
// process has and instantiates modules whose memories can grow (two
// mappings per instance): instantiation must fail with the mapping-limit
// error, and closing instances must make room again.
func TestMappingCeiling(t *testing.T) {
	mod, err := Load(basicObject(t))
	if err != nil {
		t.Fatal(err)
	}
	defer mod.Close()
	b := &mappingBudget
	grantMappings(0)
	b.Lock()
	saved := b.ceiling
	b.ceiling = countMappings() + 300
	b.Unlock()
	defer func() { b.Lock(); b.ceiling = saved; b.Unlock() }()
	cfg := Config{MaxMemoryPages: 2, HostFuncs: map[string]map[string]abi.HostFunc{"env": {"host": double()}}}
	var insts []*Instance
	var err2 error
	for range 10_000 {
		inst, err := mod.Instantiate(context.Background(), cfg)
		if err != nil {
			err2 = err
			break
		}
		insts = append(insts, inst)
	}
	var limit *errMappingLimit
	if !errors.As(err2, &limit) {
		t.Fatalf("after %d instances: %v, want the mapping-limit error", len(insts), err2)
	}
	t.Logf("refused after %d instances: %v", len(insts), err2)
	for _, inst := range insts {
		inst.Close()
	}
	inst, err := mod.Instantiate(context.Background(), cfg)
	if err != nil {
		t.Fatalf("after closing every instance: %v", err)
	}
	inst.Close()
}

// TestPlentifulAfterManyGrants grants far more mappings than the process
// has (as instantiating from pooled slots does, adding none): the budget
// must count again and still find mappings plentiful, so memory images
// keep being mapped rather than copied. Before the recount, a process
// that had made a few thousand instances copied every image from then on.
func TestPlentifulAfterManyGrants(t *testing.T) {
	b := &mappingBudget
	grantMappings(0)
	b.Lock()
	saved := b.ceiling
	b.ceiling = countMappings() + 4000
	b.counted, b.granted = countMappings(), 0
	b.Unlock()
	defer func() { b.Lock(); b.ceiling = saved; b.Unlock() }()
	if !mappingsPlentiful() {
		t.Fatal("plentiful before any grant: false")
	}
	for i := range 20_000 {
		if err := grantMappings(1); err != nil {
			t.Fatalf("grant %d: %v", i, err)
		}
		if !mappingsPlentiful() {
			t.Fatalf("after %d grants that added no mapping: not plentiful", i+1)
		}
	}
}
