// Command bench is the wasmaot benchmark harness. It builds the programs
// under programs/, runs them natively and on every available engine,
// measures compile, load/instantiate, call overhead and footprint, prints
// a Markdown report and writes it (BENCHMARKS.md) with a chart.
//
// Run it from the bench module's root: `go run ./cmd/bench` (or
// bench/run.sh, which `make bench` calls).
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/wasmaot/wasmaot/bench/engine"
	"github.com/wasmaot/wasmaot/bench/internal/programs"
	"github.com/wasmaot/wasmaot/bench/internal/report"
)

type options struct {
	reps          int
	minReps       int
	execBudget    time.Duration
	compileReps   int
	microReps     int
	programs      string
	engines       string
	compileOnly   string
	compileSlow   time.Duration
	out           string
	chart         string
	buildDir      string
	instances     int
	skipMicro     bool
	skipFootprint bool
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == crowdCommand {
		if err := crowdChild(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "bench crowd:", err)
			os.Exit(1)
		}
		return
	}
	if len(os.Args) > 1 && os.Args[1] == footprintCommand {
		if err := footprintChild(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "bench footprint:", err)
			os.Exit(1)
		}
		return
	}
	var o options
	flag.IntVar(&o.reps, "reps", 5, "most timed repetitions of each program on each engine")
	flag.IntVar(&o.minReps, "min-reps", 3, "fewest timed repetitions, run even beyond -exec-budget")
	flag.DurationVar(&o.execBudget, "exec-budget", 150*time.Second, "time after which no further execution repetition starts (beyond -min-reps)")
	flag.IntVar(&o.compileReps, "compile-reps", 2, "compilations of each module on each engine")
	flag.IntVar(&o.microReps, "micro-reps", 3, "testing.Benchmark runs per micro-benchmark")
	flag.StringVar(&o.programs, "programs", "", "comma-separated programs to run (default: all)")
	flag.StringVar(&o.engines, "engines", "native,wazero,wasmtime,wasmaot", "comma-separated engines; wasmaot means every wasmaot configuration, or name one (\"wasmaot-llvm -O2\")")
	flag.StringVar(&o.compileOnly, "compile-only", "wasmaot-llvm -O0", "comma-separated engines measured for compile time only")
	flag.DurationVar(&o.compileSlow, "compile-slow", 20*time.Second, "compile time beyond which a module is not compiled again on that engine")
	flag.StringVar(&o.out, "out", "../BENCHMARKS.md", "Markdown report to write (empty: print only)")
	flag.StringVar(&o.chart, "chart", "ratio-to-native.png", "chart image to write (empty: none)")
	flag.StringVar(&o.buildDir, "build", ".build", "directory for built programs")
	flag.IntVar(&o.instances, "instances", 1000, "idle instances alive for the footprint measurement")
	flag.BoolVar(&o.skipMicro, "skip-micro", false, "skip compile, instantiate and call measurements")
	flag.BoolVar(&o.skipFootprint, "skip-footprint", false, "skip the footprint and live-instance measurements")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(o options) error {
	start := time.Now()
	if _, err := os.Stat(filepath.Join("programs", "c", "common.h")); err != nil {
		return errors.New("run from the bench module's root (bench/)")
	}
	if o.minReps < 1 || o.compileReps < 1 || o.microReps < 1 || o.instances < 1 {
		return errors.New("-min-reps, -compile-reps, -micro-reps and -instances must be positive")
	}
	o.reps = max(o.reps, o.minReps)
	specs, err := selectPrograms(o.programs)
	if err != nil {
		return err
	}
	logf("building %d programs into %s", len(specs), o.buildDir)
	arts, err := programs.Build(".", o.buildDir, specs)
	if err != nil {
		return err
	}
	engines, wasmEngines, unavailable, err := openEngines(o.engines)
	if err != nil {
		return err
	}
	defer func() {
		for _, e := range engines {
			e.Close()
		}
	}()
	// Compile-only engines appear in the compile table and nowhere else.
	compileOnly := strings.Split(o.compileOnly, ",")
	isRunEngine := func(name string) bool { return !slices.Contains(compileOnly, name) }
	runEngines := slices.DeleteFunc(slices.Clone(engines), func(e engine.Engine) bool { return !isRunEngine(e.Name()) })
	runWasm := slices.DeleteFunc(slices.Clone(wasmEngines), func(e engine.WasmEngine) bool { return !isRunEngine(e.Name()) })

	res := &report.Results{Date: start, Commit: commit(), Machine: machineFacts(), Unavailable: unavailable}
	for _, e := range runEngines {
		res.Engines = append(res.Engines, e.Name())
	}
	for _, e := range wasmEngines {
		if !isRunEngine(e.Name()) {
			res.CompileOnly = append(res.CompileOnly, e.Name())
		}
	}
	pr, err := prepare(runEngines, arts)
	if err != nil {
		return err
	}
	defer pr.close()
	if res.Programs, res.Reps, err = measureExecution(runEngines, specs, arts, pr, o.minReps, o.reps, o.execBudget); err != nil {
		return err
	}
	if !o.skipMicro && len(wasmEngines) > 0 {
		if res.Compile, err = measureCompile(wasmEngines, arts, pr, o.compileReps, o.compileSlow); err != nil {
			return err
		}
		res.CompileReps, res.CompileSlow = o.compileReps, o.compileSlow
		if res.Phases, err = measurePhases(arts, o.compileReps); err != nil {
			return err
		}
		small, large := pickModules(arts)
		if res.Instantiate, err = measureInstantiate(runWasm, []*engine.Artifact{small, large}, pr, o.microReps); err != nil {
			return err
		}
		if res.Calls, err = measureCalls(runWasm, o.microReps); err != nil {
			return err
		}
		if res.Nanoprocess, err = measureNanoprocess(); err != nil {
			return err
		}
	}
	if !o.skipFootprint && len(runWasm) > 0 {
		small, _ := pickModules(arts)
		if res.Footprint, err = measureFootprint(runWasm, small, o); err != nil {
			return err
		}
	}
	if !o.skipFootprint {
		if res.Crowd, err = measureCrowd(); err != nil {
			return err
		}
	}
	res.Machine = append(res.Machine, report.Fact{Name: "load average at end", Value: firstLine("/proc/loadavg")})
	res.Elapsed = time.Since(start)
	return writeReport(res, o)
}

// selectPrograms returns the named specs, or the whole suite.
func selectPrograms(list string) ([]programs.Spec, error) {
	if list == "" {
		return programs.Suite, nil
	}
	var specs []programs.Spec
	for _, name := range strings.Split(list, ",") {
		s, ok := programs.Lookup(strings.TrimSpace(name))
		if !ok {
			return nil, fmt.Errorf("unknown program %q", name)
		}
		specs = append(specs, s)
	}
	return specs, nil
}

// openEngines constructs the requested engines, native first. Engines
// that are not available are reported, not fatal.
func openEngines(list string) (all []engine.Engine, wasm []engine.WasmEngine, unavailable []string, err error) {
	names := strings.Split(list, ",")
	for i, n := range names {
		names[i] = strings.TrimSpace(n)
	}
	if !slices.Contains(names, report.Baseline) {
		return nil, nil, nil, errors.New("the native engine is required: every ratio is relative to it")
	}
	all = append(all, engine.NewNative())
	addWasm := func(e engine.WasmEngine, err error, name string) error {
		switch {
		case errors.Is(err, engine.ErrNotAvailable):
			unavailable = append(unavailable, err.Error())
		case err != nil:
			return fmt.Errorf("%s: %w", name, err)
		default:
			all = append(all, e)
			wasm = append(wasm, e)
		}
		return nil
	}
	for _, n := range names {
		switch n {
		case report.Baseline:
		case "wazero":
			e, err := engine.NewWazero()
			if err := addWasm(e, err, n); err != nil {
				return nil, nil, nil, err
			}
		case "wasmtime":
			e, err := engine.NewWasmtime()
			if err := addWasm(e, err, n); err != nil {
				return nil, nil, nil, err
			}
		case "wasmaot":
			for _, cfg := range engine.WasmaotConfigs {
				e, err := engine.NewWasmaot(cfg)
				if err := addWasm(e, err, cfg); err != nil {
					return nil, nil, nil, err
				}
			}
		default:
			if slices.Contains(engine.WasmaotConfigs, n) {
				e, err := engine.NewWasmaot(n)
				if err := addWasm(e, err, n); err != nil {
					return nil, nil, nil, err
				}
				continue
			}
			return nil, nil, nil, fmt.Errorf("unknown engine %q", n)
		}
	}
	return all, wasm, unavailable, nil
}

// pickModules returns the small module (the sieve kernel, or the smallest
// built) and the large one (the Go program, or the largest built).
func pickModules(arts []*engine.Artifact) (small, large *engine.Artifact) {
	for _, a := range arts {
		if small == nil || a.Name == "sieve" || (small.Name != "sieve" && len(a.Wasm) < len(small.Wasm)) {
			small = a
		}
		if large == nil || len(a.Wasm) > len(large.Wasm) {
			large = a
		}
	}
	return small, large
}

func writeReport(res *report.Results, o options) error {
	cmdline := "make bench"
	var md bytes.Buffer
	chartLink := ""
	if o.chart != "" {
		f, err := os.Create(o.chart)
		if err != nil {
			return err
		}
		if err := report.WriteChart(f, res); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		chartLink = o.chart
		if o.out != "" {
			if rel, err := relativeTo(o.out, o.chart); err == nil {
				chartLink = rel
			}
		}
	}
	if err := report.WriteMarkdown(&md, res, report.MarkdownOptions{ChartPath: chartLink, Command: cmdline}); err != nil {
		return err
	}
	os.Stdout.Write(md.Bytes())
	if o.out != "" {
		if err := os.WriteFile(o.out, md.Bytes(), 0o644); err != nil {
			return err
		}
		logf("wrote %s", o.out)
	}
	return nil
}

// relativeTo returns target's path relative to the directory holding doc.
func relativeTo(doc, target string) (string, error) {
	d, err := filepath.Abs(filepath.Dir(doc))
	if err != nil {
		return "", err
	}
	t, err := filepath.Abs(target)
	if err != nil {
		return "", err
	}
	return filepath.Rel(d, t)
}

// logf reports progress on stderr, keeping stdout for the report.
func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "[%s] %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}
