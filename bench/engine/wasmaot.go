package engine

import "fmt"

// WasmaotConfigs names the wasmaot configurations the harness measures
// once the compiler and runtime exist: each backend at each -O level.
var WasmaotConfigs = []string{"wasmaot-llvm -O2", "wasmaot-llvm -O0", "wasmaot-native -O2"}

// NewWasmaot constructs the wasmaot engine for one configuration from
// WasmaotConfigs.
//
// TODO(wasmaot engine): not yet available. When the main module's public
// API exists, implement a WasmEngine here on top of it (import
// github.com/wasmaot/wasmaot/..., resolved through the replace directive
// in go.mod):
//   - Compile: the compiler package, wasm bytes -> object bytes for the
//     configured backend and -O level, then rtlib load of that object;
//   - Serialize: the object bytes; Deserialize: rtlib load of them;
//   - Instantiate: rtlib instance with rtlib/wasi (args, stdout) and a Go
//     host function for "env" "host" (i32) -> i32 returning x+1;
//   - Start/Func/Call: rtlib's export calls;
//   - Prepare: PrepareWasm(e, a).
//
// The harness needs no other change: cmd/bench already asks for these
// configurations and lists unavailable ones in its report.
func NewWasmaot(config string) (WasmEngine, error) {
	return nil, fmt.Errorf("%s: %w (compiler and runtime not built yet)", config, ErrNotAvailable)
}
