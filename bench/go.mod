module github.com/wasmaot/wasmaot/bench

go 1.26.8

replace github.com/wasmaot/wasmaot => ..

require (
	github.com/bytecodealliance/wasmtime-go/v37 v37.0.0
	github.com/tetratelabs/wazero v1.11.0
	github.com/wasmaot/wasmaot v0.0.0
	golang.org/x/image v0.30.0
)

require (
	github.com/llir/llvm v0.3.6 // indirect
	github.com/mewmew/float v0.0.0-20201204173432-505706aa38fa // indirect
	github.com/pkg/errors v0.9.1 // indirect
	golang.org/x/arch v0.23.0 // indirect
	golang.org/x/mod v0.4.2 // indirect
	golang.org/x/sys v0.38.0 // indirect
	golang.org/x/tools v0.1.4 // indirect
	golang.org/x/xerrors v0.0.0-20200804184101-5ec99f83aff1 // indirect
)
