package timing

import (
	"testing"
	"time"
)

func TestTimings(t *testing.T) {
	var nilT *Timings
	if !nilT.Start().IsZero() {
		t.Fatal("a nil Timings read the clock")
	}
	nilT.Stop(Isel, time.Now()) // must not panic
	if nilT.Get(Isel) != 0 || nilT.Total() != 0 {
		t.Fatal("a nil Timings reports time")
	}
	tm := &Timings{}
	s := tm.Start()
	time.Sleep(2 * time.Millisecond)
	tm.Stop(Regalloc, s)
	if got := tm.Get(Regalloc); got < 2*time.Millisecond {
		t.Fatalf("regalloc %v, slept 2ms", got)
	}
	if tm.Get(Isel) != 0 || tm.Total() != tm.Get(Regalloc) {
		t.Fatalf("time landed in the wrong phase: isel %v total %v", tm.Get(Isel), tm.Total())
	}
	for p := range NumPhases {
		if p.String() == "phase?" {
			t.Errorf("phase %d has no name", p)
		}
	}
}
