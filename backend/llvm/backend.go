package llvm

import (
	"context"
	"fmt"
	"io"

	"github.com/wasmaot/wasmaot/backend"
)

// Name is the LLVM tier's name for --backend.
const Name = "llvm"

func init() { backend.Register(Backend{}) }

// Backend is the LLVM tier as a backend.Backend.
type Backend struct{}

// Name implements backend.Backend.
func (Backend) Name() string { return Name }

// Compile implements backend.Backend: see the package Compile.
func (Backend) Compile(ctx context.Context, in *backend.Input, opts backend.Options) ([]byte, error) {
	t, err := TargetFor(in.Target.Arch.String())
	if err != nil {
		return nil, err
	}
	return Compile(ctx, in.Module, Options{Target: t, Meta: in.Meta, OptLevel: opts.OptLevel, Jobs: opts.Jobs})
}

// DumpText implements backend.TextDumper: the LLVM modules Compile hands
// opt and llc (before optimisation), one after another.
func (Backend) DumpText(in *backend.Input, opts backend.Options, w io.Writer) error {
	t, err := TargetFor(in.Target.Arch.String())
	if err != nil {
		return err
	}
	mods, err := Translate(in.Module, Options{Target: t, Meta: in.Meta, OptLevel: opts.OptLevel, Jobs: opts.Jobs})
	if err != nil {
		return err
	}
	for i, mod := range mods {
		if _, err := fmt.Fprintf(w, "; LLVM module part %d of %d\n%s\n", i+1, len(mods), mod); err != nil {
			return err
		}
	}
	return nil
}
