package compiler

// The back ends the driver can select by name; each registers itself with
// package backend when imported.
import (
	_ "github.com/wasmaot/wasmaot/backend/llvm"
	_ "github.com/wasmaot/wasmaot/backend/native"
)
