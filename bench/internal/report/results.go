// Package report turns one harness run into BENCHMARKS.md and a
// ratio-to-native bar chart (PNG, drawn here without external tools).
package report

import (
	"math"
	"slices"
	"time"

	"github.com/wasmaot/wasmaot/bench/internal/stats"
)

// Baseline is the engine every execution time is divided by.
const Baseline = "native"

// Results is everything one run measured.
type Results struct {
	Date        time.Time
	Commit      string
	Machine     []Fact
	Reps        int
	Engines     []string // engines measured, Baseline first
	CompileOnly []string // engines measured for compile time only
	Unavailable []string // engines that could not run, with the reason
	Programs    []ProgramResult
	Compile     []CompileResult
	CompileReps int           // compilations asked for per module and engine
	CompileSlow time.Duration // first compilations slower than this were not repeated
	Phases      []PhaseResult
	Instantiate []InstantiateResult
	Calls       []CallResult
	Nanoprocess *NanoprocessResult
	Footprint   []FootprintResult
	Crowd       []CrowdResult
	Elapsed     time.Duration
}

// Fact is one line of machine description.
type Fact struct{ Name, Value string }

// ProgramResult is the median wall time of one program per engine.
type ProgramResult struct {
	Name, About string
	Checksum    string             // the output every engine agreed on
	Seconds     map[string]float64 // engine -> median seconds
}

// CompileResult is the median compile time of one module per engine.
type CompileResult struct {
	Module  string
	Bytes   int
	Seconds map[string]float64
	Samples map[string]int // compilations behind each median
}

// PhaseResult is where wasmaot's native back end spends the compilation
// of a group of modules for one target, in nanoseconds per repetition:
// PhaseNs[i] is phase Phases[i] as the compiler timed it (phases run per
// function on several cores add up every function's time), WallNs the
// wall time of compiler.Compile (wasm bytes to object) for the group.
type PhaseResult struct {
	Module, Target string
	Bytes          int
	WallNs         float64
	Phases         []string
	PhaseNs        []float64
}

// InstantiateResult times one engine on one module, in microseconds.
// LoadInstantiate is NaN when the engine cannot load precompiled modules.
type InstantiateResult struct {
	Engine, Module               string
	Bytes                        int
	Instantiate, LoadInstantiate float64
}

// CallResult is the call overhead of one engine, in nanoseconds.
type CallResult struct {
	Engine        string
	Empty, HostRT float64
}

// NanoprocessResult is the cost of calls between the nodes of a wasmaot
// delegation tree, in nanoseconds per call.
type NanoprocessResult struct {
	Plain, Cross, String float64
	StringBytes          int
}

// FootprintResult is the resident memory per idle instance.
type FootprintResult struct {
	Engine, Module string
	Instances      int
	KiBPerInstance float64
}

// CrowdResult is what each of many live wasmaot instances of a one-page
// module costs.
type CrowdResult struct {
	Instances                                              int
	KiBPerInstance, MappingsPerInstance, MicrosPerInstance float64
}

// Ratio returns p's median time on engine divided by the baseline's, or
// NaN if either is missing.
func (p ProgramResult) Ratio(engine string) float64 {
	base, ok1 := p.Seconds[Baseline]
	t, ok2 := p.Seconds[engine]
	if !ok1 || !ok2 || base <= 0 {
		return math.NaN()
	}
	return t / base
}

// GeoMean returns the geometric mean over programs of engine's ratio to
// the baseline.
func (r *Results) GeoMean(engine string) float64 {
	var ratios []float64
	for _, p := range r.Programs {
		ratios = append(ratios, p.Ratio(engine))
	}
	return stats.GeoMean(ratios)
}

// Throughput returns engine's compile throughput, in bytes per second,
// over the modules for which in is true: their total size over their total
// median time; NaN if the engine lacks any of them or none is selected.
func (r *Results) Throughput(engine string, in func(module string) bool) float64 {
	var bytes, seconds float64
	for _, c := range r.Compile {
		if !in(c.Module) {
			continue
		}
		s, ok := c.Seconds[engine]
		if !ok || s <= 0 {
			return math.NaN()
		}
		bytes += float64(c.Bytes)
		seconds += s
	}
	if seconds == 0 {
		return math.NaN()
	}
	return bytes / seconds
}

// Peers returns the measured engines other than the baseline.
func (r *Results) Peers() []string {
	return slices.DeleteFunc(slices.Clone(r.Engines), func(e string) bool { return e == Baseline })
}

// LargestGaps returns up to n programs on which engine is furthest from
// the baseline, largest ratio first.
func (r *Results) LargestGaps(engine string, n int) []ProgramResult {
	ps := slices.Clone(r.Programs)
	slices.SortFunc(ps, func(a, b ProgramResult) int {
		ra, rb := a.Ratio(engine), b.Ratio(engine)
		switch {
		case ra > rb:
			return -1
		case ra < rb:
			return 1
		}
		return 0
	})
	return ps[:min(n, len(ps))]
}

func sortedKeys(m map[string]float64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
