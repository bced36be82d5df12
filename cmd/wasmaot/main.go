// Command wasmaot compiles WebAssembly modules ahead of time to guarded
// native objects and runs them in the wasmaot sandbox runtime.
package main

import (
	"fmt"
	"os"

	"github.com/urfave/cli/v2"
)

func main() {
	app := &cli.App{
		Name:     "wasmaot",
		Usage:    "ahead-of-time WebAssembly compiler and sandbox runtime",
		Commands: []*cli.Command{},
	}
	if err := app.Run(os.Args); err != nil {
		fmt.Fprintln(os.Stderr, "wasmaot:", err)
		os.Exit(1)
	}
}
