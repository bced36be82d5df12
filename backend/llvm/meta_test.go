package llvm

import (
	"testing"

	"github.com/wasmaot/wasmaot/backend"
	"github.com/wasmaot/wasmaot/lower/ir"
)

// withMeta fills in opts.Meta as the driver would for m and opts.Target.
func withMeta(tb testing.TB, m *ir.Module, opts Options) Options {
	tb.Helper()
	tgt, err := backend.TargetFor(opts.Target.Arch)
	if err != nil {
		tb.Fatal(err)
	}
	meta, err := backend.BuildMeta(m.Wasm, tgt, "wasmaot-test/"+Name, [32]byte{})
	if err != nil {
		tb.Fatal(err)
	}
	opts.Meta = meta
	return opts
}
