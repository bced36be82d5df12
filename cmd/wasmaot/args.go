package main

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// reorderFlags moves flags that follow positional arguments in front of
// them, so that `wasmaot compile app.wasm -o app.o` works although
// urfave/cli stops parsing flags at the first positional argument. Anything
// after a literal "--" is left alone, and so is every argument of `run`
// after the module (they belong to the guest). The compiler spelling
// -O0…-O3 is accepted for -O 0…-O 3 wherever flags are parsed.
func reorderFlags(app *cli.App, args []string) []string {
	if len(args) < 2 {
		return args
	}
	cmd := app.Command(args[1])
	if cmd == nil {
		return args
	}
	takesValue := map[string]bool{}
	for _, f := range cmd.Flags {
		_, isBool := f.(*cli.BoolFlag)
		for _, name := range f.Names() {
			takesValue[name] = !isBool
		}
	}
	var flags, positional []string
	rest := args[2:]
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		if a == "--" || (cmd.Name == "run" && len(positional) > 0) {
			// run passes everything after the module to the guest.
			positional = append(positional, rest[i:]...)
			break
		}
		if len(a) == 3 && a[:2] == "-O" && a[2] >= '0' && a[2] <= '9' && takesValue["O"] {
			flags = append(flags, "-O="+a[2:])
			continue
		}
		if len(a) > 1 && a[0] == '-' {
			name := strings.TrimLeft(a, "-")
			name, _, hasValue := strings.Cut(name, "=")
			flags = append(flags, a)
			if takesValue[name] && !hasValue && i+1 < len(rest) {
				flags = append(flags, rest[i+1])
				i++
			}
			continue
		}
		positional = append(positional, a)
	}
	out := append([]string{args[0], args[1]}, flags...)
	return append(out, positional...)
}
