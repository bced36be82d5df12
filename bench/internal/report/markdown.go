package report

import (
	"fmt"
	"io"
	"math"
	"strings"
)

// MarkdownOptions says where the chart lives relative to the document.
type MarkdownOptions struct {
	ChartPath string // relative link to the chart image; empty omits it
	Command   string // the command that produced the document
}

// WriteMarkdown writes the full report.
func WriteMarkdown(w io.Writer, r *Results, opt MarkdownOptions) error {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }

	p("# Benchmarks\n\n")
	if len(r.Unavailable) > 0 {
		p("**Baseline without wasmaot yet**: the wasmaot engines are not built yet, so this run measures only the reference points they will be judged against.\n\n")
	}
	p("Produced by `%s` on %s at commit `%s` in %s. ", opt.Command, r.Date.UTC().Format("2006-01-02 15:04 MST"), r.Commit, r.Elapsed.Round(1e9))
	p("All numbers come from this one run on a shared, noisy machine: compare ratios within the run, not absolute times across runs.\n\n")

	p("## Machine\n\n| | |\n|---|---|\n")
	for _, f := range r.Machine {
		p("| %s | %s |\n", f.Name, f.Value)
	}
	p("\n")

	p("## Execution time\n\n")
	p("Median wall time of %d interleaved repetitions (the engine order rotates each repetition), as a ratio to native code (lower is better; the native median is in seconds). ", r.Reps)
	p("A wasm run is one fresh instance running `_start` from a module compiled beforehand; a native run is one process. Every engine printed the same checksum for every program (a mismatch fails the run).\n\n")
	if opt.ChartPath != "" {
		p("![ratio to native per program and engine](%s)\n\n", opt.ChartPath)
	}
	peers := r.Peers()
	p("| program | native (s) |")
	for _, e := range peers {
		p(" %s |", e)
	}
	p(" what it does |\n|---|---:|")
	for range peers {
		p("---:|")
	}
	p("---|\n")
	for _, pr := range r.Programs {
		p("| %s | %.3f |", pr.Name, pr.Seconds[Baseline])
		for _, e := range peers {
			p(" %s |", ratio(pr.Ratio(e)))
		}
		p(" %s |\n", pr.About)
	}
	p("| **geomean** | |")
	for _, e := range peers {
		p(" **%s** |", ratio(r.GeoMean(e)))
	}
	p(" |\n\n")

	if len(r.Compile) > 0 {
		p("## Compile time\n\n")
		p("Median of repeated compilations from wasm bytes to a module ready to instantiate (seconds, and wasm MB/s). wasmtime compiles functions in parallel on both cores; wazero compiles on one.\n\n")
		engines := compileEngines(r.Compile)
		p("| module | wasm size |")
		for _, e := range engines {
			p(" %s (s) | %s (MB/s) |", e, e)
		}
		p("\n|---|---:|")
		for range engines {
			p("---:|---:|")
		}
		p("\n")
		for _, c := range r.Compile {
			p("| %s | %s |", c.Module, size(c.Bytes))
			for _, e := range engines {
				s, ok := c.Seconds[e]
				if !ok {
					p(" – | – |")
					continue
				}
				p(" %.4f | %.2f |", s, float64(c.Bytes)/s/1e6)
			}
			p("\n")
		}
		p("\n")
	}

	if len(r.Instantiate) > 0 {
		p("## Load and instantiate\n\n")
		p("Microseconds per operation (`testing.Benchmark`, median of three). *Instantiate*: a new instance of an already compiled module, closed again, without running `_start`. ")
		p("*Load + instantiate*: wasmtime deserializes its precompiled module and instantiates it; wazero has no precompiled format, so this is compiling against a warm file-system compilation cache and instantiating.\n\n")
		p("| engine | module | size | instantiate (µs) | load + instantiate (µs) |\n|---|---|---:|---:|---:|\n")
		for _, in := range r.Instantiate {
			p("| %s | %s | %s | %s | %s |\n", in.Engine, in.Module, size(in.Bytes), num(in.Instantiate), num(in.LoadInstantiate))
		}
		p("\n")
	}

	if len(r.Calls) > 0 {
		p("## Call overhead\n\n")
		p("Nanoseconds per call (`testing.Benchmark`, median of three). *Go → wasm*: calling an exported empty function through the engine's fastest general API (wazero `CallWithStack`, wasmtime-go `Func.Call`). ")
		p("*wasm → Go*: one round trip from a wasm loop to a Go host function `(i32) -> i32` and back (wazero `GoModuleFunc`, wasmtime-go `Linker.FuncWrap`). ")
		p("wasmtime-go crosses cgo in both directions, and its `Func.Call` fetches the function type and converts arguments on every call, so its numbers measure the Go binding more than wasmtime itself.\n\n")
		p("| engine | Go → wasm (ns) | wasm → Go → wasm (ns) |\n|---|---:|---:|\n")
		for _, c := range r.Calls {
			p("| %s | %s | %s |\n", c.Engine, num(c.Empty), num(c.HostRT))
		}
		p("\n")
	}

	if len(r.Footprint) > 0 {
		p("## Footprint\n\n")
		p("Resident memory (VmRSS) added per idle instance (instantiated, `_start` not run) with all instances alive at once, measured in a fresh child process per engine after a GC.\n\n")
		p("| engine | module | instances | KiB per instance |\n|---|---|---:|---:|\n")
		for _, f := range r.Footprint {
			p("| %s | %s | %d | %s |\n", f.Engine, f.Module, f.Instances, num(f.KiBPerInstance))
		}
		p("\n")
	}

	if len(r.Unavailable) > 0 {
		p("## Not measured\n\n")
		for _, u := range r.Unavailable {
			p("- %s\n", u)
		}
		p("\n")
	}

	p("## Summary\n\n")
	for _, e := range peers {
		p("- **%s**: geomean %s of native.", e, ratio(r.GeoMean(e)))
		var gaps []string
		for _, g := range r.LargestGaps(e, 3) {
			gaps = append(gaps, fmt.Sprintf("%s %s", g.Name, ratio(g.Ratio(e))))
		}
		p(" Largest gaps: %s.\n", strings.Join(gaps, ", "))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// compileEngines lists the engines present in compile results, in first-seen order.
func compileEngines(cs []CompileResult) []string {
	var out []string
	seen := map[string]bool{}
	for _, c := range cs {
		for _, e := range sortedKeys(c.Seconds) {
			if !seen[e] {
				seen[e] = true
				out = append(out, e)
			}
		}
	}
	return out
}

func ratio(x float64) string {
	if math.IsNaN(x) {
		return "–"
	}
	return fmt.Sprintf("%.2f×", x)
}

func num(x float64) string {
	switch {
	case math.IsNaN(x):
		return "–"
	case x >= 100:
		return fmt.Sprintf("%.0f", x)
	case x >= 10:
		return fmt.Sprintf("%.1f", x)
	}
	return fmt.Sprintf("%.2f", x)
}

func size(n int) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
}
