package embed_test

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/wasmaot/wasmaot/compiler"
	"github.com/wasmaot/wasmaot/compiler/wat"
	"github.com/wasmaot/wasmaot/rtlib"
	"github.com/wasmaot/wasmaot/rtlib/abi"
	"github.com/wasmaot/wasmaot/rtlib/wasi"
)

// compileGuest stands in for the build pipeline (`wasmaot compile`): it
// turns guest.wat into an object for this machine.
func compileGuest() []byte {
	src, err := os.ReadFile("guest.wat")
	if err != nil {
		log.Fatal(err)
	}
	bin, err := wat.Parse(src)
	if err != nil {
		log.Fatal(err)
	}
	obj, err := compiler.Compile(bin, compiler.Options{OptLevel: compiler.DefaultOptLevel})
	if err != nil {
		log.Fatal(err)
	}
	return obj
}

func Example() {
	obj := compileGuest() // in production: obj, err := os.ReadFile("guest.o")

	// Load once; instantiate as often as needed.
	mod, err := rtlib.Load(obj)
	if err != nil {
		log.Fatal(err)
	}
	defer mod.Close()

	// The guest's capabilities: one directory and a stdout we capture.
	dir, err := os.MkdirTemp("", "wasmaot-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	var stdout bytes.Buffer
	w, err := wasi.New(wasi.Config{
		Args:     []string{"guest"},
		Stdout:   &stdout,
		Preopens: []wasi.Preopen{{HostPath: dir, GuestPath: "/data"}},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer w.Close()

	ctx := context.Background()
	inst, err := mod.Instantiate(ctx, rtlib.Config{
		HostModules:    map[string]abi.HostModule{wasi.ModuleName: w}, // only what the module imports
		MaxMemoryPages: 16,
	})
	if err != nil {
		log.Fatal(err)
	}
	defer inst.Close()

	if _, err := inst.ExportedFunc("_start").Call(ctx); err != nil {
		log.Fatal(err) // a trap is an *abi.Trap; proc_exit is a *wasi.ExitError
	}
	fmt.Print(stdout.String())
	greeting, err := os.ReadFile(filepath.Join(dir, "greeting.txt"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("greeting.txt: %s", greeting)
	// Output:
	// guest: wrote greeting.txt
	// greeting.txt: hello from the sandbox
}
