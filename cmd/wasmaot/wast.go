package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"sync"

	"github.com/urfave/cli/v2"
	"github.com/wasmaot/wasmaot/backend"
	"github.com/wasmaot/wasmaot/compiler"
	"github.com/wasmaot/wasmaot/compiler/engine"
	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/compiler/wast"
)

// wastEngine returns the engine for --backend: "frontend" runs only
// parsing, decoding and validation (commands that need execution are
// counted as skipped), "interp" the IR interpreter, and the name of a back
// end compiles every module with it and runs the objects natively.
func wastEngine(c *cli.Context) (wast.Engine, error) {
	b := c.String("backend")
	if b == "" {
		b = compiler.DefaultBackendFor(c.String("target"))
	}
	switch b {
	case "frontend":
		return nil, nil
	case "interp":
		return engine.Interp(engine.InterpOptions{}), nil
	default:
		if _, err := backend.Lookup(b); err != nil {
			return nil, fmt.Errorf("--backend: %w (or frontend, interp)", err)
		}
		opts, err := compileOptions(c)
		if err != nil {
			return nil, err
		}
		compileOnly := c.Bool("compile-only")
		if opts.Target != "" && opts.Target != runtime.GOARCH && !compileOnly {
			return nil, fmt.Errorf("--target %s: scripts run on this machine (%s); use --compile-only to fill --cache-dir for an %s build of wasmaot", opts.Target, runtime.GOARCH, opts.Target)
		}
		if compileOnly && c.String("cache-dir") == "" {
			return nil, errors.New("--compile-only needs --cache-dir")
		}
		return engine.Compiled(engine.CompiledOptions{Compile: opts, Cache: compiler.Cache{Dir: c.String("cache-dir")}, CompileOnly: compileOnly}), nil
	}
}

func wastCommand() *cli.Command {
	return &cli.Command{
		Name:      "wast",
		Usage:     "run WebAssembly spec scripts (.wast) and count passed, failed and skipped commands",
		ArgsUsage: "FILE.wast...",
		Flags: append(compileFlags(),
			&cli.StringFlag{Name: "backend", Usage: "engine: frontend (no execution), interp (IR interpreter), or a back end compiling to native code: " + strings.Join(backend.Names(), ", ") + " (default: " + compiler.DefaultBackend + ")"},
			&cli.StringFlag{Name: "cache-dir", Value: compiler.DefaultCacheDir(), Usage: "back ends: cache of compiled objects (empty: no cache)"},
			&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "list every failed or skipped command with its line and reason"},
			&cli.IntFlag{Name: "jobs", Aliases: []string{"j"}, Value: runtime.GOMAXPROCS(0), Usage: "scripts run in parallel"},
			&cli.BoolFlag{Name: "compile-only", Usage: "back ends: compile every module the scripts instantiate into --cache-dir (for any --target) and run nothing"},
		),
		Action: runWast,
	}
}

func runWast(c *cli.Context) error {
	files := c.Args().Slice()
	if len(files) == 0 {
		return cli.Exit("wast: no script files", 2)
	}
	if _, err := wastEngine(c); err != nil {
		return cli.Exit("wast: "+err.Error(), 2)
	}
	if c.Bool("compile-only") {
		return compileScripts(c, files)
	}
	ctx, stop := signal.NotifyContext(c.Context, os.Interrupt)
	defer stop()

	type outcome struct {
		res wast.Result
		err error
	}
	results := make([]outcome, len(files))
	done := make([]chan struct{}, len(files))
	for i := range done {
		done[i] = make(chan struct{})
	}
	jobs := max(c.Int("jobs"), 1)
	sem := make(chan struct{}, jobs)
	var wg sync.WaitGroup
	for i, f := range files {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(done[i])
			sem <- struct{}{}
			defer func() { <-sem }()
			// Each script gets an engine of its own.
			eng, _ := wastEngine(c)
			res, err := runScript(ctx, f, eng, c.Bool("verbose"))
			results[i] = outcome{res, err}
		}()
	}
	var passed, failed, skipped, broken int
	out := c.App.Writer
	for i, f := range files {
		<-done[i]
		r := results[i]
		if r.err != nil {
			fmt.Fprintf(c.App.ErrWriter, "%s: %v\n", f, r.err)
			broken++
			continue
		}
		for _, d := range r.res.Details {
			fmt.Fprintf(out, "  %s\n", d)
		}
		fmt.Fprintf(out, "%s: %d passed, %d failed, %d skipped\n", f, r.res.Passed, r.res.Failed, r.res.Skipped)
		passed += r.res.Passed
		failed += r.res.Failed
		skipped += r.res.Skipped
	}
	wg.Wait()
	fmt.Fprintf(out, "%d passed, %d failed, %d skipped\n", passed, failed, skipped)
	switch {
	case broken > 0:
		return cli.Exit(fmt.Sprintf("%d script(s) could not be run", broken), 1)
	case failed > 0:
		return cli.Exit("", 1)
	}
	return nil
}

// runScript runs one script, turning a panic inside an engine into an
// error for that file so that one bad script cannot take down the run.
func runScript(ctx context.Context, path string, eng wast.Engine, verbose bool) (res wast.Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("internal error: %v", p)
		}
	}()
	return wast.RunFile(ctx, path, eng, wast.Options{Verbose: verbose})
}

// compileOnlyCounter wraps a compile-only engine and counts the modules it
// compiled and the ones that failed to compile.
type compileOnlyCounter struct {
	wast.Engine
	mu       sync.Mutex
	compiled int
	failures []string
}

func (e *compileOnlyCounter) Instantiate(ctx context.Context, m *wasm.Module, bin []byte, imports func(module, name string) (wast.Extern, bool)) (wast.Instance, error) {
	inst, err := e.Engine.Instantiate(ctx, m, bin, imports)
	e.mu.Lock()
	defer e.mu.Unlock()
	if errors.Is(err, engine.ErrCompileOnly) {
		e.compiled++
		// A stand-in lets the script go on to its next modules (imports
		// included) as if this one had been instantiated.
		return compiledOnly{}, nil
	}
	if err != nil {
		e.failures = append(e.failures, err.Error())
	}
	return inst, err
}

// compiledOnly stands in for an instance of a module that was compiled
// and not run: its exports exist, and using them fails.
type compiledOnly struct{}

func (compiledOnly) Call(context.Context, string, []wast.Value) ([]wast.Value, error) {
	return nil, engine.ErrCompileOnly
}
func (compiledOnly) Global(string) (wast.Value, error) { return wast.Value{}, engine.ErrCompileOnly }
func (compiledOnly) Export(string) (wast.Extern, bool) { return compiledOnly{}, true }

// compileScripts fills the object cache with every module the scripts
// instantiate, compiled for --target, and runs nothing.
func compileScripts(c *cli.Context, files []string) error {
	eng, _ := wastEngine(c)
	counter := &compileOnlyCounter{Engine: eng}
	var wg sync.WaitGroup
	sem := make(chan struct{}, max(c.Int("jobs"), 1))
	errs := make([]error, len(files))
	for i, f := range files {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			_, errs[i] = runScript(c.Context, f, counter, false)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			counter.failures = append(counter.failures, files[i]+": "+err.Error())
		}
	}
	for _, f := range counter.failures {
		fmt.Fprintln(c.App.ErrWriter, f)
	}
	opts, _ := compileOptions(c)
	fmt.Fprintf(c.App.Writer, "compiled %d module(s) for %s into %s; %d failed\n", counter.compiled, targetName(opts.Target), c.String("cache-dir"), len(counter.failures))
	if len(counter.failures) > 0 {
		return cli.Exit("", 1)
	}
	return nil
}
