package main

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/wasmaot/wasmaot/bench/engine"
	"github.com/wasmaot/wasmaot/bench/internal/micro"
	"github.com/wasmaot/wasmaot/bench/internal/programs"
	"github.com/wasmaot/wasmaot/bench/internal/report"
	"github.com/wasmaot/wasmaot/bench/internal/stats"
)

// prepared holds what every engine prepared before the timed runs.
type prepared struct {
	programs [][]engine.Program // [program][engine], in the engines' order
	// modules holds, per wasm engine and program, a compiled module: the
	// one behind the program until measureCompile replaces it. It owns
	// them; the programs of wasm engines do not.
	modules map[string]map[string]engine.Module
	// compileSeconds is how long prepare's compilation of each took.
	compileSeconds map[string]map[string]float64
}

// prepare prepares every program on every engine. Wasm engines compile
// here, timed, so that the compile measurements can count this
// compilation and the instantiate measurements can reuse its module.
func prepare(engines []engine.Engine, arts []*engine.Artifact) (*prepared, error) {
	pr := &prepared{modules: map[string]map[string]engine.Module{}, compileSeconds: map[string]map[string]float64{}}
	for _, a := range arts {
		var row []engine.Program
		for _, e := range engines {
			we, ok := e.(engine.WasmEngine)
			if !ok {
				p, err := e.Prepare(a)
				if err != nil {
					pr.close()
					return nil, err
				}
				row = append(row, p)
				continue
			}
			t0 := time.Now()
			m, err := we.Compile(a.Wasm)
			d := time.Since(t0)
			if err != nil {
				pr.close()
				return nil, fmt.Errorf("%s: compile %s: %w", e.Name(), a.Name, err)
			}
			if pr.modules[e.Name()] == nil {
				pr.modules[e.Name()] = map[string]engine.Module{}
				pr.compileSeconds[e.Name()] = map[string]float64{}
			}
			pr.modules[e.Name()][a.Name] = m
			pr.compileSeconds[e.Name()][a.Name] = d.Seconds()
			row = append(row, engine.ModuleProgram(e, a, m))
		}
		pr.programs = append(pr.programs, row)
		logf("prepared %s on %d engines", a.Name, len(engines))
	}
	return pr, nil
}

// close closes every prepared program and compiled module.
func (pr *prepared) close() {
	for _, row := range pr.programs {
		for _, p := range row {
			p.Close()
		}
	}
	for _, ms := range pr.modules {
		for _, m := range ms {
			m.Close()
		}
	}
}

// measureExecution times rounds in which each prepared program runs once
// per engine, the engine order rotating every round; every output must
// equal the first one seen. It runs between minReps and maxReps rounds,
// stopping after minReps once another round would exceed budget (counted
// from the first round). It returns the medians and the number of rounds
// run.
func measureExecution(engines []engine.Engine, specs []programs.Spec, arts []*engine.Artifact, pr *prepared, minReps, maxReps int, budget time.Duration) ([]report.ProgramResult, int, error) {
	want := make([][]byte, len(arts))         // the first output seen per program
	samples := make([][][]float64, len(arts)) // [program][engine][rep]
	for pi := range samples {
		samples[pi] = make([][]float64, len(engines))
	}
	timedStart := time.Now()
	reps := 0
	for rep := range maxReps {
		if spent := time.Since(timedStart); rep >= minReps && spent+spent/time.Duration(rep) > budget {
			logf("stopping after %d repetitions: the next would exceed the %v budget", rep, budget)
			break
		}
		logf("execution repetition %d/%d (%v so far)", rep+1, maxReps, time.Since(timedStart).Round(time.Second))
		reps++
		for pi, a := range arts {
			for k := range engines {
				ei := (k + rep + pi) % len(engines)
				t0 := time.Now()
				out, err := pr.programs[pi][ei].Run(specs[pi].Args)
				d := time.Since(t0)
				if err != nil {
					return nil, 0, err
				}
				if err := agree(engines[ei].Name(), a.Name, out, &want[pi]); err != nil {
					return nil, 0, err
				}
				samples[pi][ei] = append(samples[pi][ei], d.Seconds())
			}
		}
	}
	var results []report.ProgramResult
	for pi, a := range arts {
		r := report.ProgramResult{Name: a.Name, About: specs[pi].About, Checksum: string(bytes.TrimSpace(want[pi])), Seconds: map[string]float64{}}
		for ei, e := range engines {
			r.Seconds[e.Name()] = stats.Median(samples[pi][ei])
		}
		results = append(results, r)
	}
	return results, reps, nil
}

// agree checks out against the first output seen for the program; a
// mismatch fails the whole run.
func agree(engineName, program string, out []byte, want *[]byte) error {
	if *want == nil {
		if len(bytes.TrimSpace(out)) == 0 {
			return fmt.Errorf("%s: %s printed no checksum", engineName, program)
		}
		*want = bytes.Clone(out)
		return nil
	}
	if !bytes.Equal(out, *want) {
		return fmt.Errorf("checksum mismatch: %s printed %q for %s, expected %q", engineName, bytes.TrimSpace(out), program, bytes.TrimSpace(*want))
	}
	return nil
}

// measureCompile times compiling each module on each engine, interleaving
// engines within each repetition. The compilation done by prepare, when
// there was one, is the first sample. An engine that took longer than
// slow for a module is not asked to compile it again, so one slow
// compiler cannot eat the run's time budget.
//
// An engine may answer from a cache while a module compiled from the
// same bytes is alive (wazero does), so prepare's module is closed before
// the engine compiles those bytes again; the last module compiled takes
// its place in pr.modules for the instantiate measurements.
func measureCompile(engines []engine.WasmEngine, arts []*engine.Artifact, pr *prepared, reps int, slow time.Duration) ([]report.CompileResult, error) {
	var results []report.CompileResult
	for _, a := range arts {
		samples := make([][]float64, len(engines))
		for ei, e := range engines {
			if s, ok := pr.compileSeconds[e.Name()][a.Name]; ok {
				samples[ei] = append(samples[ei], s)
			}
		}
		for rep := range reps {
			for k := range engines {
				ei := (k + rep) % len(engines)
				if len(samples[ei]) >= reps || (len(samples[ei]) > 0 && samples[ei][0] > slow.Seconds()) {
					continue
				}
				name := engines[ei].Name()
				if old := pr.modules[name][a.Name]; old != nil {
					old.Close()
					delete(pr.modules[name], a.Name)
				}
				t0 := time.Now()
				m, err := engines[ei].Compile(a.Wasm)
				d := time.Since(t0)
				if err != nil {
					return nil, fmt.Errorf("%s: compile %s: %w", name, a.Name, err)
				}
				samples[ei] = append(samples[ei], d.Seconds())
				if pr.modules[name] == nil {
					pr.modules[name] = map[string]engine.Module{}
				}
				pr.modules[name][a.Name] = m
			}
		}
		r := report.CompileResult{Module: a.Name, Bytes: len(a.Wasm), Seconds: map[string]float64{}, Samples: map[string]int{}}
		for ei, e := range engines {
			r.Seconds[e.Name()] = stats.Median(samples[ei])
			r.Samples[e.Name()] = len(samples[ei])
		}
		results = append(results, r)
		logf("compiled %s (%d bytes) on %d engines", a.Name, len(a.Wasm), len(engines))
	}
	return results, nil
}

// benchMedian runs f through testing.Benchmark reps times and returns the
// median nanoseconds per operation, or NaN if the benchmark skipped or
// failed (it then ran no iterations).
func benchMedian(f func(*testing.B), reps int) float64 {
	var ns []float64
	for range reps {
		r := testing.Benchmark(f)
		if r.N == 0 {
			return math.NaN()
		}
		ns = append(ns, float64(r.T.Nanoseconds())/float64(r.N))
	}
	return stats.Median(ns)
}

// measureInstantiate times instantiation, and loading a precompiled module
// plus instantiation, per engine and module, in microseconds. The modules
// are the ones prepare compiled, outside the timed loops.
func measureInstantiate(engines []engine.WasmEngine, arts []*engine.Artifact, pr *prepared, reps int) ([]report.InstantiateResult, error) {
	var results []report.InstantiateResult
	for _, e := range engines {
		for _, a := range arts {
			r, err := instantiateOne(e, a, pr.modules[e.Name()][a.Name], reps)
			if err != nil {
				return nil, err
			}
			results = append(results, r)
			logf("instantiate %s on %s: %.1f µs, with load %.1f µs", a.Name, e.Name(), r.Instantiate, r.LoadInstantiate)
		}
	}
	return results, nil
}

// instantiateOne measures one engine on one module, using the module m
// that prepare compiled (compiling it here if there is none).
func instantiateOne(e engine.WasmEngine, a *engine.Artifact, m engine.Module, reps int) (report.InstantiateResult, error) {
	r := report.InstantiateResult{Engine: e.Name(), Module: a.Name, Bytes: len(a.Wasm), LoadInstantiate: math.NaN()}
	if m == nil {
		var err error
		if m, err = e.Compile(a.Wasm); err != nil {
			return r, fmt.Errorf("%s: compile %s: %w", e.Name(), a.Name, err)
		}
		defer m.Close()
	}
	// One instance outside testing.Benchmark, which would hide the error.
	inst, err := m.Instantiate(engine.InstanceConfig{Args: []string{a.Name}})
	if err != nil {
		return r, fmt.Errorf("%s: instantiate %s: %w", e.Name(), a.Name, err)
	}
	inst.Close()
	r.Instantiate = benchMedian(micro.Instantiate(m), reps) / 1e3
	precompiled, err := m.Serialize()
	switch {
	case errors.Is(err, engine.ErrUnsupported):
		return r, nil
	case err != nil:
		return r, fmt.Errorf("%s: serialize %s: %w", e.Name(), a.Name, err)
	}
	lm, err := e.Deserialize(precompiled)
	if err != nil {
		return r, fmt.Errorf("%s: deserialize %s: %w", e.Name(), a.Name, err)
	}
	lm.Close()
	r.LoadInstantiate = benchMedian(micro.LoadInstantiate(e, precompiled), reps) / 1e3
	return r, nil
}

// measureCalls times Go -> wasm calls and wasm -> Go round trips.
func measureCalls(engines []engine.WasmEngine, reps int) ([]report.CallResult, error) {
	var results []report.CallResult
	for _, e := range engines {
		if err := micro.Check(e); err != nil {
			return nil, err
		}
		r := report.CallResult{
			Engine: e.Name(),
			Empty:  benchMedian(micro.CallEmpty(e), reps),
			HostRT: benchMedian(micro.HostRoundTrip(e), reps),
		}
		results = append(results, r)
		logf("calls on %s: Go->wasm %.1f ns, wasm->Go %.1f ns", e.Name(), r.Empty, r.HostRT)
	}
	return results, nil
}

// measureNanoprocess times calls between the nodes of a delegation tree.
func measureNanoprocess() (*report.NanoprocessResult, error) {
	plain, cross, str, err := micro.NanoprocessCalls(5, 1_000_000)
	if err != nil {
		return nil, fmt.Errorf("nanoprocess calls: %w", err)
	}
	logf("calls between nanoprocesses: plain %.2f ns, cross %.2f ns, string %.1f ns", plain, cross, str)
	return &report.NanoprocessResult{Plain: plain, Cross: cross, String: str, StringBytes: micro.StringBytes}, nil
}
