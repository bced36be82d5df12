// Package native registers the "native" back end: code generators written
// in Go, one per ISA, selected by the target's architecture. It holds no
// code generation itself; it only dispatches, so that the per-ISA
// packages never import each other.
package native

import (
	"context"
	"fmt"

	"github.com/wasmaot/wasmaot/backend"
	"github.com/wasmaot/wasmaot/backend/amd64"
	"github.com/wasmaot/wasmaot/backend/arm64"
	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// Name is the back end's name on the command line (--backend native).
const Name = "native"

func init() { backend.Register(Backend{}) }

// Backend is the native back end.
type Backend struct{}

// Name implements backend.Backend.
func (Backend) Name() string { return Name }

// Streams implements backend.Streaming: both code generators take each
// function's IR through Input.Func.
func (Backend) Streams(t backend.Target) bool {
	return t.Arch == abi.ArchAMD64 || t.Arch == abi.ArchARM64
}

// Compile implements backend.Backend.
func (Backend) Compile(ctx context.Context, in *backend.Input, opts backend.Options) ([]byte, error) {
	switch in.Target.Arch {
	case abi.ArchAMD64:
		return amd64.Compile(ctx, in, opts)
	case abi.ArchARM64:
		return arm64.Compile(ctx, in, opts)
	}
	return nil, fmt.Errorf("the native back end does not generate code for %v yet (use --backend llvm)", in.Target.Arch)
}
