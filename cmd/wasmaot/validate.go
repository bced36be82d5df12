package main

import (
	"fmt"

	"github.com/urfave/cli/v2"
)

func validateCommand() *cli.Command {
	return &cli.Command{
		Name:      "validate",
		Usage:     "decode and validate WebAssembly modules (.wasm or .wat)",
		ArgsUsage: "FILE...",
		Action: func(c *cli.Context) error {
			if c.NArg() == 0 {
				return cli.Exit("validate: no input files", 2)
			}
			failed := 0
			for _, path := range c.Args().Slice() {
				if _, _, err := loadModule(path); err != nil {
					fmt.Fprintln(c.App.ErrWriter, err)
					failed++
					continue
				}
				fmt.Fprintf(c.App.Writer, "%s: valid\n", path)
			}
			if failed > 0 {
				return cli.Exit("", 1)
			}
			return nil
		},
	}
}
