package report

import (
	"fmt"
	"io"
	"math"
	"slices"
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
	if !slices.ContainsFunc(r.Engines, isWasmaot) {
		p("**Baseline without wasmaot**: no wasmaot engine ran, so this run measures only the reference points wasmaot is judged against.\n\n")
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
		p("Median of up to %d compilations from wasm bytes to a module ready to instantiate (seconds, and wasm MB/s), engines interleaved; the compilation that prepared the execution runs counts as one, and a module whose first compilation took longer than %v is not compiled again on that engine (bracketed counts give the compilations behind such a median). ", r.CompileReps, r.CompileSlow)
		p("wasmtime compiles functions in parallel on both cores; wazero compiles on one; wasmaot decodes, validates and lowers on one core, translates to textual LLVM IR, runs LLVM's `opt` and `llc` as child processes (up to GOMAXPROCS, here two, at a time on parts of a large module, joined by `ld.lld -r`) and loads the object.")
		if len(r.CompileOnly) > 0 {
			p(" %s measured here only, as the compile-speed reference.", strings.Join(r.CompileOnly, ", "))
		}
		p("\n\n")
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
				if n := c.Samples[e]; n > 0 && n < r.CompileReps {
					p(" %.4f [%d] | %.2f |", s, n, float64(c.Bytes)/s/1e6)
				} else {
					p(" %.4f | %.2f |", s, float64(c.Bytes)/s/1e6)
				}
			}
			p("\n")
		}
		p("\n")
	}

	if fe := r.FrontEnd; fe != nil {
		p("## Front end\n\n")
		p("wasmaot's Go-side compile phases on the large module %s (%s; `testing.Benchmark`): decoding plus validation (`compiler/wasm`, median of three), and lowering the validated module to SSA IR with its passes (`lower`). ", fe.Module, size(fe.Bytes))
		p("The remainder of a wasmaot compilation is the LLVM back end (translation to LLVM IR, `opt`, `llc`) and loading the object.\n\n")
		p("| phase | ms | MB/s |")
		var totals []string
		for _, c := range r.Compile {
			if c.Module != fe.Module {
				continue
			}
			for _, e := range compileEngines(r.Compile) {
				if s, ok := c.Seconds[e]; ok && isWasmaot(e) {
					totals = append(totals, fmt.Sprintf("%s: %s of the %.1f s compilation", e, percent((fe.DecodeValidateNs+fe.LowerNs)/1e9/s), s))
				}
			}
		}
		p("\n|---|---:|---:|\n")
		p("| decode + validate | %.1f | %.1f |\n", fe.DecodeValidateNs/1e6, float64(fe.Bytes)/fe.DecodeValidateNs*1e3)
		p("| lower (SSA IR + passes) | %.1f | %.1f |\n\n", fe.LowerNs/1e6, float64(fe.Bytes)/fe.LowerNs*1e3)
		if len(totals) > 0 {
			p("Share of the whole compilation spent in these two phases: %s.\n\n", strings.Join(totals, "; "))
		}
	}

	if len(r.Instantiate) > 0 {
		p("## Load and instantiate\n\n")
		p("Microseconds per operation (`testing.Benchmark`, median of three). *Instantiate*: a new instance of an already compiled module, closed again, without running `_start`; WASI state is created per instance on every engine. ")
		p("*Load + instantiate*: wasmaot loads its object (`rtlib.Load`: parse, map, relocate) and instantiates it; wasmtime deserializes its precompiled module and instantiates it; wazero has no precompiled format, so this is compiling against a warm file-system compilation cache and instantiating.\n\n")
		p("| engine | module | size | instantiate (µs) | load + instantiate (µs) |\n|---|---|---:|---:|---:|\n")
		for _, in := range r.Instantiate {
			p("| %s | %s | %s | %s | %s |\n", in.Engine, in.Module, size(in.Bytes), num(in.Instantiate), num(in.LoadInstantiate))
		}
		p("\n")
	}

	if len(r.Calls) > 0 {
		p("## Call overhead\n\n")
		p("Nanoseconds per call (`testing.Benchmark`, median of three). *Go → wasm*: calling an exported empty function through the engine's fastest general API (wasmaot `rtlib.Func.CallWithStack`, wazero `CallWithStack`, wasmtime-go `Func.Call`). ")
		p("*wasm → Go*: one round trip from a wasm loop to a Go host function `(i32) -> i32` and back (wasmaot `abi.HostFunc`, wazero `GoModuleFunc`, wasmtime-go `Linker.FuncWrap`). ")
		p("wasmtime-go crosses cgo in both directions, and its `Func.Call` fetches the function type and converts arguments on every call, so its numbers measure the Go binding more than wasmtime itself.\n\n")
		p("| engine | Go → wasm (ns) | wasm → Go → wasm (ns) |\n|---|---:|---:|\n")
		for _, c := range r.Calls {
			p("| %s | %s | %s |\n", c.Engine, num(c.Empty), num(c.HostRT))
		}
		p("\n")
	}

	if n := r.Nanoprocess; n != nil {
		p("## Calls between nanoprocesses\n\n")
		p("wasmaot-llvm -O2, nanoseconds per call, best of five wasm loops of 10^6 calls. A delegation tree (`rtlib/wasi/p2/tree`) whose root imports its child's exports; each node has its own instance and memory. *plain*: a call to a function of the same instance; *cross*: the same function in the child, with scalar arguments (linked directly, wasm to wasm); *string*: passing a %d-byte string to the child, copied into its memory through its `cabi_realloc` by a Go trampoline, i32 result.\n\n", n.StringBytes)
		goal := "met"
		if n.Cross > 2*n.Plain {
			goal = "**not met**"
		}
		p("| plain (ns) | cross (ns) | cross / plain (goal: at most 2x) | string (ns) |\n|---:|---:|---:|---:|\n")
		p("| %s | %s | %.2fx (%s) | %s |\n\n", num(n.Plain), num(n.Cross), n.Cross/n.Plain, goal, num(n.String))
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

	if len(r.Crowd) > 0 {
		p("## Live instances\n\n")
		p("wasmaot only: a fresh child process keeps N instances of a module with one page of memory (maximum one page), a 5-byte data segment and one function alive at once, and reports the resident memory (VmRSS, after a GC) and the memory mappings (lines of /proc/self/maps) they added, per instance, and the mean time per instantiation. Linux refuses a process more than vm.max_map_count mappings (65,530 by default); rtlib refuses instantiation an eighth before that.\n\n")
		p("| instances | KiB per instance | mappings per instance | µs per instantiation |\n|---:|---:|---:|---:|\n")
		for _, c := range r.Crowd {
			p("| %d | %s | %.4f | %s |\n", c.Instances, num(c.KiBPerInstance), c.MappingsPerInstance, num(c.MicrosPerInstance))
		}
		p("\n")
	}

	if len(r.Unavailable) > 0 || len(r.CompileOnly) > 0 {
		p("## Not measured\n\n")
		for _, e := range r.CompileOnly {
			p("- %s: compile time only (execution, instantiation, calls and footprint not measured)\n", e)
		}
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

// isWasmaot reports whether engine is one of wasmaot's configurations.
func isWasmaot(engine string) bool { return strings.HasPrefix(engine, "wasmaot") }

func percent(x float64) string { return fmt.Sprintf("%.1f%%", 100*x) }

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
