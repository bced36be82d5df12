package main

import (
	"fmt"
	"time"

	"github.com/wasmaot/wasmaot/bench/engine"
	"github.com/wasmaot/wasmaot/bench/internal/report"
	"github.com/wasmaot/wasmaot/bench/internal/stats"
	"github.com/wasmaot/wasmaot/compiler"
	"github.com/wasmaot/wasmaot/compiler/timing"
)

// phaseReps is the fewest repetitions of the phase measurement: the
// arm64/amd64 ratio comes from it, and on a noisy machine a median of
// two is a mean.
const phaseReps = 5

// measurePhases compiles the Go module and the C kernels with the native
// back end at -O2, for amd64 and for arm64, and reports the compiler's own
// per-phase timings (compiler.Options.Timings, mean per repetition) and
// the median wall time of compiler.Compile (wasm bytes to object, no
// loading). The targets alternate within each repetition, so that load
// on the machine falls on both alike.
func measurePhases(arts []*engine.Artifact, reps int) ([]report.PhaseResult, error) {
	reps = max(reps, phaseReps)
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
		targets := []string{"amd64", "arm64"}
		timings := make([]timing.Timings, len(targets))
		walls := make([][]float64, len(targets))
		for range reps {
			for i, target := range targets {
				ns, err := compileGroup(group.arts, target, &timings[i])
				if err != nil {
					return nil, err
				}
				walls[i] = append(walls[i], ns)
			}
		}
		for i, target := range targets {
			r := report.PhaseResult{Module: group.name, Target: target, WallNs: stats.Median(walls[i])}
			for _, a := range group.arts {
				r.Bytes += len(a.Wasm)
			}
			for p := range timing.NumPhases {
				r.Phases = append(r.Phases, p.String())
				r.PhaseNs = append(r.PhaseNs, float64(timings[i].Get(p))/float64(reps))
			}
			logf("native compile phases, %s for %s: %.1f ms (%.2f MB/s)", group.name, target, r.WallNs/1e6, float64(r.Bytes)/r.WallNs*1e3)
			out = append(out, r)
		}
	}
	return out, nil
}

// compileGroup compiles every module of arts for target once, adding the
// phases to tm, and returns the wall time in nanoseconds.
func compileGroup(arts []*engine.Artifact, target string, tm *timing.Timings) (float64, error) {
	t0 := time.Now()
	for _, a := range arts {
		if _, err := compiler.Compile(a.Wasm, compiler.Options{Target: target, Backend: "native", OptLevel: 2, Timings: tm}); err != nil {
			return 0, fmt.Errorf("native compile of %s for %s: %w", a.Name, target, err)
		}
	}
	return float64(time.Since(t0)), nil
}
