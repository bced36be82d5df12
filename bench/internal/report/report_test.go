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
		Compile:     []CompileResult{{Module: "sieve", Bytes: 2_000_000, Seconds: map[string]float64{"wazero": 0.5, "wasmtime": 1}}},
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
		"Baseline without wasmaot yet",
		"commit `abc1234`",
		"| sort | 0.400 | 4.00× | 1.00× | sorting |",
		"| **geomean** | | **2.83×** | **1.10×** |",
		"![ratio to native per program and engine](chart.png)",
		"| sieve | 1.9 MiB | 1.0000 | 2.00 | 0.5000 | 4.00 |",
		"| wazero | sieve | 1.0 KiB | 12.5 | – |",
		"| wazero | 40.0 | 38.0 |",
		"| wazero | sieve | 1000 | 150 |",
		"- wasmaot-llvm -O2: not yet available",
		"Largest gaps: sort 4.00×, sieve 2.00×.",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
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
