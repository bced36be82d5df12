package report

import (
	"bytes"
	"image/png"
	"math"
	"strings"
	"testing"
	"time"
)

func sample() *Results {
	return &Results{
		Date:    time.Date(2025, 1, 2, 3, 4, 0, 0, time.UTC),
		Commit:  "abc1234",
		Reps:    5,
		Engines: []string{"native", "wazero", "wasmtime"},
		Programs: []ProgramResult{
			{Name: "sieve", About: "primes", Seconds: map[string]float64{"native": 0.5, "wazero": 1.0, "wasmtime": 0.6}},
			{Name: "sort", About: "sorting", Seconds: map[string]float64{"native": 0.4, "wazero": 1.6, "wasmtime": 0.4}},
		},
		Compile: []CompileResult{{Module: "sieve", Bytes: 2_000_000,
			Seconds: map[string]float64{"wazero": 0.5, "wasmtime": 1, "wasmaot-llvm -O0": 2},
			Samples: map[string]int{"wazero": 3, "wasmtime": 3, "wasmaot-llvm -O0": 1}}},
		CompileReps: 3,
		CompileSlow: 20 * time.Second,
		CompileOnly: []string{"wasmaot-llvm -O0"},
		Phases: []PhaseResult{
			{Module: "gojson", Target: "amd64", Bytes: 2_000_000, WallNs: 100e6, Phases: []string{"decode", "isel"}, PhaseNs: []float64{30e6, 90e6}},
			{Module: "gojson", Target: "arm64", Bytes: 2_000_000, WallNs: 110e6, Phases: []string{"decode", "isel"}, PhaseNs: []float64{30e6, 100e6}},
		},
		Instantiate: []InstantiateResult{{Engine: "wazero", Module: "sieve", Bytes: 1000, Instantiate: 12.5, LoadInstantiate: math.NaN()}},
		Calls:       []CallResult{{Engine: "wazero", Empty: 40, HostRT: 38}},
		Footprint:   []FootprintResult{{Engine: "wazero", Module: "sieve", Instances: 1000, KiBPerInstance: 150}},
		Unavailable: []string{"wasmaot-llvm -O2: not yet available"},
	}
}

func TestRatiosAndGaps(t *testing.T) {
	r := sample()
	if got := r.Programs[1].Ratio("wazero"); got != 4 {
		t.Errorf("ratio = %v, want 4", got)
	}
	if got := r.GeoMean("wazero"); math.Abs(got-math.Sqrt(8)) > 1e-12 {
		t.Errorf("geomean = %v, want sqrt(8)", got)
	}
	if gaps := r.LargestGaps("wasmtime", 3); len(gaps) != 2 || gaps[0].Name != "sieve" {
		t.Errorf("gaps = %+v, want sieve first", gaps)
	}
	if peers := r.Peers(); len(peers) != 2 || peers[0] != "wazero" {
		t.Errorf("peers = %v", peers)
	}
}

func TestMarkdown(t *testing.T) {
	var b bytes.Buffer
	if err := WriteMarkdown(&b, sample(), MarkdownOptions{ChartPath: "chart.png", Command: "make bench"}); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	for _, want := range []string{
		"Baseline without wasmaot",
		"commit `abc1234`",
		"| sort | 0.400 | 4.00× | 1.00× | sorting |",
		"| **geomean** | | **2.83×** | **1.10×** |",
		"![ratio to native per program and engine](chart.png)",
		"| sieve | 1.9 MiB | 2.0000 [1] | 1.00 | 1.0000 | 2.00 | 0.5000 | 4.00 |",
		"| decode | 30.0 | 25.0% |",
		"| isel | 90.0 | 75.0% |",
		"| wall time | 100 | 20.0 MB/s |",
		"| gojson | 1.9 MiB | 100 | 110 | 18.2 | 1.10× |",
		"| C kernels | 1.00 | 0.25× | 2.00 | 0.50× | 4.00 | 1.00× |",
		"- wasmaot-llvm -O0: compile time only",
		"| wazero | sieve | 1.0 KiB | 12.5 | – |",
		"| wazero | 40.0 | 38.0 |",
		"| wazero | sieve | 1000 | 150 |",
		"- wasmaot-llvm -O2: not yet available",
		"Largest gaps: sort 4.00×, sieve 2.00×.",
		"- **wasmaot-llvm -O0 compile throughput** relative to wazero's: C kernels 0.25×.",
		"- **arm64 / amd64 native compile time** (goal at most 1.2×): gojson 1.10×.",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
}

func TestMarkdownWithWasmaot(t *testing.T) {
	r := sample()
	r.Engines = append(r.Engines, "wasmaot-llvm -O2")
	r.Programs[0].Seconds["wasmaot-llvm -O2"] = 0.55
	r.Programs[1].Seconds["wasmaot-llvm -O2"] = 0.44
	var b bytes.Buffer
	if err := WriteMarkdown(&b, r, MarkdownOptions{Command: "make bench"}); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	if strings.Contains(md, "Baseline without wasmaot") {
		t.Error("a run with a wasmaot engine is called a baseline without wasmaot")
	}
	if !strings.Contains(md, "- **wasmaot-llvm -O2**: geomean 1.10× of native.") {
		t.Errorf("no wasmaot summary line:\n%s", md)
	}
}

func TestChartIsPNG(t *testing.T) {
	var b bytes.Buffer
	if err := WriteChart(&b, sample()); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&b)
	if err != nil {
		t.Fatal(err)
	}
	if got := img.Bounds().Size(); got.X != chartWidth || got.Y != chartHeight {
		t.Errorf("chart size %v", got)
	}
	if err := WriteChart(&b, &Results{}); err == nil {
		t.Error("an empty chart did not fail")
	}
}
