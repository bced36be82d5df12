// Command wasmaot compiles WebAssembly modules ahead of time to guarded
// native objects and runs them in the wasmaot sandbox runtime.
//
// Subcommands: compile, run, validate, inspect, wast (run spec scripts),
// keygen and sign (ed25519 signatures of objects, checked by run
// --verify-key). Flags come
// before positional arguments (urfave/cli); flags after the input are also
// accepted because main moves them in front.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/urfave/cli/v2"
)

func main() {
	os.Exit(run(os.Args))
}

func run(args []string) int { return runApp(newApp(), args) }

// runApp runs the CLI and returns the process exit status.
func runApp(app *cli.App, args []string) int {
	if err := app.Run(reorderFlags(app, args)); err != nil {
		var exit cli.ExitCoder
		if errors.As(err, &exit) {
			if msg := exit.Error(); msg != "" {
				fmt.Fprintln(app.ErrWriter, "wasmaot:", msg)
			}
			return exit.ExitCode()
		}
		fmt.Fprintln(app.ErrWriter, "wasmaot:", err)
		return 1
	}
	return 0
}

func newApp() *cli.App {
	return &cli.App{
		Writer:               os.Stdout,
		ErrWriter:            os.Stderr,
		Name:                 "wasmaot",
		Usage:                "ahead-of-time WebAssembly compiler and sandbox runtime",
		HideHelpCommand:      false,
		EnableBashCompletion: false,
		Commands: []*cli.Command{
			compileCommand(),
			runCommand(),
			validateCommand(),
			inspectCommand(),
			wastCommand(),
			keygenCommand(),
			signCommand(),
		},
		// Errors are printed once by run, with the exit status they carry.
		ExitErrHandler: func(*cli.Context, error) {},
	}
}
