package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"sync"

	"github.com/urfave/cli/v2"
	"github.com/wasmaot/wasmaot/compiler/wast"
	"github.com/wasmaot/wasmaot/tests/spec"
)

// wastEngine returns the engine for --backend. "frontend" runs only
// parsing, decoding and validation: commands that need execution are
// counted as skipped.
func wastEngine(c *cli.Context) (wast.Engine, error) {
	switch b := c.String("backend"); b {
	case "frontend":
		return nil, nil
	case "interp":
		return spec.InterpEngine(), nil
	case "llvm":
		opts, err := compileOptions(c)
		if err != nil {
			return nil, err
		}
		if opts.Target != "" && opts.Target != runtime.GOARCH {
			return nil, fmt.Errorf("--target %s: spec scripts run on this machine (%s); run an %s build of wasmaot under emulation instead", opts.Target, runtime.GOARCH, opts.Target)
		}
		return spec.LLVMEngine(spec.LLVMOptions{OptLevel: opts.OptLevel, CacheDir: c.String("cache-dir")}), nil
	default:
		return nil, fmt.Errorf("unknown backend %q (have frontend, interp, llvm)", b)
	}
}

func wastCommand() *cli.Command {
	return &cli.Command{
		Name:      "wast",
		Usage:     "run WebAssembly spec scripts (.wast) and count passed, failed and skipped commands",
		ArgsUsage: "FILE.wast...",
		Flags: append(compileFlags(),
			&cli.StringFlag{Name: "backend", Value: "interp", Usage: "engine: frontend (no execution), interp (IR interpreter), llvm (native code through LLVM)"},
			&cli.StringFlag{Name: "cache-dir", Value: spec.DefaultLLVMCacheDir(), Usage: "llvm: cache of compiled objects (empty: no cache)"},
			&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "list every failed or skipped command with its line and reason"},
			&cli.IntFlag{Name: "jobs", Aliases: []string{"j"}, Value: runtime.GOMAXPROCS(0), Usage: "scripts run in parallel"},
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
			engine, _ := wastEngine(c)
			res, err := runScript(ctx, f, engine, c.Bool("verbose"))
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
func runScript(ctx context.Context, path string, engine wast.Engine, verbose bool) (res wast.Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("internal error: %v", p)
		}
	}()
	return wast.RunFile(ctx, path, engine, wast.Options{Verbose: verbose})
}
