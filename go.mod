module github.com/wasmaot/wasmaot

go 1.26.8

require (
	github.com/tetratelabs/wazero v1.12.0
	github.com/urfave/cli/v2 v2.27.7
	go.bytecodealliance.org v0.7.0
	golang.org/x/arch v0.23.0
	golang.org/x/sys v0.44.0
)

require (
	github.com/coreos/go-semver v0.3.1 // indirect
	github.com/cpuguy83/go-md2man/v2 v2.0.7 // indirect
	github.com/russross/blackfriday/v2 v2.1.0 // indirect
	github.com/xrash/smetrics v0.0.0-20240521201337-686a1a2994c1 // indirect
)
