package main

import (
	"fmt"
	"time"

	"github.com/wasmaot/wasmaot/bench/engine"
	"github.com/wasmaot/wasmaot/bench/internal/report"
	"github.com/wasmaot/wasmaot/compiler"
	"github.com/wasmaot/wasmaot/compiler/timing"
)

// measurePhases compiles the Go module and the C kernels with the native
// back end at -O2, for amd64 and for arm64, reps times each, and reports
// the compiler's own per-phase timings (compiler.Options.Timings) and the
// wall time of compiler.Compile (wasm bytes to object, no loading).
func measurePhases(arts []*engine.Artifact, reps int) ([]report.PhaseResult, error) {
	var goMod []*engine.Artifact
	var kernels []*engine.Artifact
	for _, a := range arts {
		if a.Name == "gojson" {
			goMod = append(goMod, a)
		} else {
			kernels = append(kernels, a)
		}
	}
	var out []report.PhaseResult
	for _, group := range []struct {
		name string
		arts []*engine.Artifact
	}{{"gojson", goMod}, {fmt.Sprintf("C kernels (%d)", len(kernels)), kernels}} {
		if len(group.arts) == 0 {
			continue
		}
		for _, target := range []string{"amd64", "arm64"} {
			r, err := compilePhases(group.name, group.arts, target, reps)
			if err != nil {
				return nil, err
			}
			logf("native compile phases, %s for %s: %.1f ms (%.2f MB/s)", group.name, target, r.WallNs/1e6, float64(r.Bytes)/r.WallNs*1e3)
			out = append(out, *r)
		}
	}
	return out, nil
}

// compilePhases compiles every module of arts for target reps times and
// returns the mean per repetition of the summed phases and wall times.
func compilePhases(name string, arts []*engine.Artifact, target string, reps int) (*report.PhaseResult, error) {
	tm := &timing.Timings{}
	r := &report.PhaseResult{Module: name, Target: target}
	var wall time.Duration
	for range reps {
		for _, a := range arts {
			t0 := time.Now()
			if _, err := compiler.Compile(a.Wasm, compiler.Options{Target: target, Backend: "native", OptLevel: 2, Timings: tm}); err != nil {
				return nil, fmt.Errorf("native compile of %s for %s: %w", a.Name, target, err)
			}
			wall += time.Since(t0)
		}
	}
	for _, a := range arts {
		r.Bytes += len(a.Wasm)
	}
	r.WallNs = float64(wall) / float64(reps)
	for p := range timing.NumPhases {
		r.Phases = append(r.Phases, p.String())
		r.PhaseNs = append(r.PhaseNs, float64(tm.Get(p))/float64(reps))
	}
	return r, nil
}
