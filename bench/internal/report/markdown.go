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
		p("Every engine starts from wasm bytes (decoding and validation included). wasmtime compiles functions in parallel on both cores; wazero compiles on one; wasmaot decodes and validates on one core, lowers and optimises functions in parallel, then wasmaot-native generates machine code in-process on all cores, while wasmaot-llvm translates to textual LLVM IR and runs LLVM's `opt` and `llc` as child processes (up to GOMAXPROCS at a time on parts of a large module, joined by `ld.lld -r`); both load the object (`rtlib.Load`).")
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
		writeThroughput(p, r)
	}

	if len(r.Phases) > 0 {
		writePhases(p, r.Phases)
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
		p("wasmaot's default back end (native on amd64) at -O2, nanoseconds per call, best of five wasm loops of 10^6 calls. A delegation tree (`rtlib/wasi/p2/tree`) whose root imports its child's exports; each node has its own instance and memory. *plain*: a call to a function of the same instance; *cross*: the same function in the child, with scalar arguments (linked directly, wasm to wasm); *string*: passing a %d-byte string to the child, copied into its memory through its `cabi_realloc` by a Go trampoline, i32 result.\n\n", n.StringBytes)
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
		p(" Largest gaps: %s.", strings.Join(gaps, ", "))
		if isWasmaot(e) {
			for _, other := range []string{"wasmtime", "wazero"} {
				if slices.Contains(peers, other) {
					p(" %s of %s's geomean.", ratio(r.GeoMean(e)/r.GeoMean(other)), other)
				}
			}
		}
		p("\n")
	}
	if len(r.Compile) > 0 {
		for _, e := range compileEngines(r.Compile) {
			if !isWasmaot(e) {
				continue
			}
			var parts []string
			for _, g := range compileGroups {
				if x := r.Throughput(e, g.in) / r.Throughput("wazero", g.in); !math.IsNaN(x) {
					parts = append(parts, fmt.Sprintf("%s %s", g.name, ratio(x)))
				}
			}
			if len(parts) > 0 {
				p("- **%s compile throughput** relative to wazero's: %s.\n", e, strings.Join(parts, ", "))
			}
		}
	}
	var arm []string
	for _, a := range r.Phases {
		for _, b := range r.Phases {
			if a.Target == "amd64" && b.Target == "arm64" && a.Module == b.Module {
				arm = append(arm, fmt.Sprintf("%s %s", a.Module, ratio(b.WallNs/a.WallNs)))
			}
		}
	}
	if len(arm) > 0 {
		p("- **arm64 / amd64 native compile time** (goal at most 1.2×): %s.\n", strings.Join(arm, ", "))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// compileGroups are the rows of the throughput table: the Go module and
// the C kernels together.
var compileGroups = []struct {
	name string
	in   func(module string) bool
}{
	{"gojson (Go)", func(m string) bool { return m == "gojson" }},
	{"C kernels", func(m string) bool { return m != "gojson" }},
}

// writeThroughput writes each engine's compile throughput on the Go
// module and on the C kernels as a ratio to wazero's.
func writeThroughput(p func(string, ...any), r *Results) {
	engines := compileEngines(r.Compile)
	p("### Compile throughput relative to wazero\n\n")
	p("Wasm bytes compiled per second from the medians above (the C kernels: their total size over their total time), and that throughput as a multiple of wazero's in this run (higher is better; goal for wasmaot-native: at least 5×).\n\n")
	p("| modules |")
	for _, e := range engines {
		p(" %s (MB/s) | %s / wazero |", e, e)
	}
	p("\n|---|")
	for range engines {
		p("---:|---:|")
	}
	p("\n")
	for _, g := range compileGroups {
		base := r.Throughput("wazero", g.in)
		if math.IsNaN(base) && math.IsNaN(r.Throughput(engines[0], g.in)) {
			continue
		}
		p("| %s |", g.name)
		for _, e := range engines {
			t := r.Throughput(e, g.in)
			p(" %s | %s |", num(t/1e6), ratio(t/base))
		}
		p("\n")
	}
	p("\n")
}

// writePhases writes where the native back end's compile time goes.
func writePhases(p func(string, ...any), ps []PhaseResult) {
	p("## Native compile phases\n\n")
	p("wasmaot-native -O2 compiling with `compiler.Compile` (wasm bytes to object, no loading), timed by the compiler itself (`compiler.Options.Timings`, package `compiler/timing`), mean per repetition (at least five, alternating the amd64 and arm64 targets); the wall time is the median. ")
	p("decode and validate run on one core; lower (wasm to SSA IR), passes (the -O2 pipeline), isel (instruction selection, which writes each instruction's bytes as it selects it) and regalloc run per function on all cores, and their figures add up every function's time, so the phases can sum to more than the wall time; encode is branch resolution and the layout of .text (calls, trampolines, stubs); object is writing the ELF file and sealing it. Percentages are of the phases' sum.\n\n")
	var cols []PhaseResult
	for _, r := range ps {
		if r.Target == "amd64" {
			cols = append(cols, r)
		}
	}
	if len(cols) > 0 {
		p("| phase |")
		for _, c := range cols {
			p(" %s (ms) | %s (%%) |", c.Module, c.Module)
		}
		p("\n|---|")
		for range cols {
			p("---:|---:|")
		}
		p("\n")
		for i, name := range cols[0].Phases {
			p("| %s |", name)
			for _, c := range cols {
				p(" %s | %s |", num(c.PhaseNs[i]/1e6), percent(c.PhaseNs[i]/sum(c.PhaseNs)))
			}
			p("\n")
		}
		p("| sum of phases |")
		for _, c := range cols {
			p(" %s | |", num(sum(c.PhaseNs)/1e6))
		}
		p("\n| wall time |")
		for _, c := range cols {
			p(" %s | %s MB/s |", num(c.WallNs/1e6), num(float64(c.Bytes)/c.WallNs*1e3))
		}
		p("\n\n")
	}
	p("### arm64 target\n\n")
	p("The same compilations for `--target arm64` (cross-compiled on this machine), median wall time of the repetitions, which alternate with amd64's; goal: arm64 within 1.2× of amd64.\n\n")
	p("| modules | size | amd64 (ms) | arm64 (ms) | arm64 (MB/s) | arm64 / amd64 time |\n|---|---:|---:|---:|---:|---:|\n")
	for _, a := range ps {
		if a.Target != "amd64" {
			continue
		}
		for _, b := range ps {
			if b.Target == "arm64" && b.Module == a.Module {
				p("| %s | %s | %s | %s | %s | %s |\n", a.Module, size(a.Bytes), num(a.WallNs/1e6), num(b.WallNs/1e6), num(float64(b.Bytes)/b.WallNs*1e3), ratio(b.WallNs/a.WallNs))
			}
		}
	}
	p("\n")
}

func sum(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s
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
