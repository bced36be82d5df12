module github.com/wasmaot/wasmaot/bench

go 1.26.8

replace github.com/wasmaot/wasmaot => ..

require (
	github.com/bytecodealliance/wasmtime-go/v37 v37.0.0
	github.com/tetratelabs/wazero v1.11.0
	golang.org/x/image v0.30.0
)

require golang.org/x/sys v0.38.0 // indirect
