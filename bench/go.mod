module github.com/wasmaot/wasmaot/bench

go 1.26.8

replace github.com/wasmaot/wasmaot => ..

require (
	github.com/bytecodealliance/wasmtime-go/v44 v44.0.0
	github.com/tetratelabs/wazero v1.12.0
	github.com/wasmaot/wasmaot v0.0.0
	golang.org/x/image v0.30.0
)

require (
	golang.org/x/arch v0.23.0 // indirect
	golang.org/x/sys v0.44.0 // indirect
)
