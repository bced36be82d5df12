package llvm

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// linkerScript merges what llc emits (.text, .rodata.cst16, .rodata.str…)
// into exactly the sections of the object format — .text, .rodata and
// .wasmaot.meta — and drops the rest.
const linkerScript = `SECTIONS {
  .text : { *(.text .text.*) }
  .rodata : { *(.rodata .rodata.* .data.rel.ro .data.rel.ro.*) }
  .wasmaot.meta : { KEEP(*(.wasmaot.meta)) }
  /DISCARD/ : { *(.note.GNU-stack) *(.eh_frame) *(.comment) *(.llvm_addrsig) *(.stack_sizes) }
}
`

// CodegenOptions control the opt/llc pipeline.
type CodegenOptions struct {
	// OptLevel is 0 to 3: the opt pipeline (-O1…-O3; none at 0) and llc's
	// code generation level.
	OptLevel int
	// Jobs bounds how many opt/llc pipelines run at once; 0 means one.
	Jobs int
	// MaxValues, if set, holds for each module the most SSA values any of
	// its functions has; at -O0 it chooses the register allocator (see
	// regAllocFor).
	MaxValues []int
}

// CompileModules turns LLVM modules (textual IR, each a complete module
// for t) into one ELF64 relocatable object. Each module goes through
// `opt -O<n>` and `llc -filetype=obj` in its own processes, up to
// opts.Jobs at a time; when there is more than one module, ld.lld -r
// merges the results into one .text, one .rodata and .wasmaot.meta.
// Symbols referenced across modules must be global; ld -r keeps those
// references as relocations for the loader.
func CompileModules(ctx context.Context, t *Target, modules [][]byte, opts CodegenOptions) ([]byte, error) {
	obj, _, err := compileModules(ctx, t, modules, opts)
	return obj, err
}

// compileModules is CompileModules, also returning every function's frame
// size (from llc's .stack_sizes, read before the parts are merged).
func compileModules(ctx context.Context, t *Target, modules [][]byte, opts CodegenOptions) ([]byte, map[string]uint64, error) {
	if opts.OptLevel < 0 || opts.OptLevel > 3 {
		return nil, nil, fmt.Errorf("llvm: optimisation level %d out of range 0..3", opts.OptLevel)
	}
	if len(modules) == 0 {
		return nil, nil, fmt.Errorf("llvm: no modules to compile")
	}
	if opts.MaxValues != nil && len(opts.MaxValues) != len(modules) {
		return nil, nil, fmt.Errorf("llvm: %d MaxValues for %d modules", len(opts.MaxValues), len(modules))
	}
	tools, err := FindTools()
	if err != nil {
		return nil, nil, err
	}
	dir, err := os.MkdirTemp("", "wasmaot-llvm-")
	if err != nil {
		return nil, nil, fmt.Errorf("llvm: %w", err)
	}
	defer os.RemoveAll(dir)

	jobs := max(opts.Jobs, 1)
	sem := make(chan struct{}, jobs)
	errs := make([]error, len(modules))
	objs := make([]string, len(modules))
	var wg sync.WaitGroup
	for i, mod := range modules {
		objs[i] = filepath.Join(dir, "part"+strconv.Itoa(i)+".o")
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			regAlloc := "basic"
			if opts.MaxValues != nil {
				regAlloc = regAllocFor(opts.MaxValues[i])
			}
			errs[i] = codegen(ctx, tools, t, opts.OptLevel, regAlloc, mod, objs[i])
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, nil, fmt.Errorf("llvm: module part %d: %w", i, err)
		}
	}
	frames := map[string]uint64{}
	var first []byte
	for i, path := range objs {
		obj, err := os.ReadFile(path)
		if err != nil {
			return nil, nil, fmt.Errorf("llvm: %w", err)
		}
		sizes, err := frameSizes(obj)
		if err != nil {
			return nil, nil, fmt.Errorf("llvm: module part %d: %w", i, err)
		}
		for name, size := range sizes {
			frames[name] = size
		}
		if i == 0 {
			first = obj
		}
	}

	if len(objs) == 1 {
		// Nothing to merge: llc's sections (.text, .rodata and its
		// .rodata.cst* constant pools, .wasmaot.meta) are loadable as they
		// are, and a linker run would cost a third process per module.
		// (.stack_sizes stays; it is not allocated, and the loader skips
		// it.)
		return first, frames, nil
	}
	script := filepath.Join(dir, "sections.ld")
	if err := os.WriteFile(script, []byte(linkerScript), 0o600); err != nil {
		return nil, nil, fmt.Errorf("llvm: %w", err)
	}
	out := filepath.Join(dir, "out.o")
	args := append([]string{"-r", "-T", script, "-o", out}, objs...)
	if err := run(ctx, tools.Lld, args, nil, nil); err != nil {
		return nil, nil, err
	}
	obj, err := os.ReadFile(out)
	if err != nil {
		return nil, nil, fmt.Errorf("llvm: %w", err)
	}
	return obj, frames, nil
}

// regAllocFor picks llc's register allocator at -O0 for a module whose
// largest function has maxValues SSA values. llc -O0's fast allocator
// gives every value its own spill slot, so a large function (a Go
// function's resume switch) gets a frame of 10+ KB and deep recursion
// exhausts the native stack; the basic allocator keeps frames near their
// -O2 size (on Go's regexp tests it costs ~40% more llc time, 27 → 38
// CPU-s, and halves the object). But basic's time grows about as the cube
// of a function's register pressure (a function with 12,000 values live
// at once: 79 s, against 3.4 s for greedy and 0.3 s for fast), so larger
// functions get greedy and the largest fast, whose big frames the frame
// checks (see Compile) keep safe.
func regAllocFor(maxValues int) string {
	switch {
	case maxValues <= 4000:
		return "basic"
	case maxValues <= 20000:
		return "greedy"
	}
	return "fast"
}

// codegen runs opt (unless at -O0) and llc on one module, writing the
// object to objPath.
func codegen(ctx context.Context, tools *Tools, t *Target, level int, regAlloc string, mod []byte, objPath string) error {
	targetArgs := []string{"-mtriple=" + t.Triple, "-mcpu=" + t.CPU, "-mattr=" + t.mattr()}
	input := mod
	if level > 0 {
		var bc bytes.Buffer
		args := append([]string{"-O" + strconv.Itoa(level)}, targetArgs...)
		args = append(args, "-", "-o", "-")
		if err := run(ctx, tools.Opt, args, mod, &bc); err != nil {
			return err
		}
		input = bc.Bytes()
	}
	args := append([]string{"-O" + strconv.Itoa(level), "-filetype=obj", "-relocation-model=pic", "-stack-size-section"}, targetArgs...)
	if level == 1 {
		// -O1 trades code quality for compile time: FastISel (which -O0
		// uses too) with the greedy register allocator. On the Go hello
		// world it cuts llc's time by about 30% for 7% more code.
		args = append(args, "-fast-isel")
	}
	if level == 0 && regAlloc != "" && regAlloc != "fast" {
		args = append(args, "-optimize-regalloc", "-regalloc="+regAlloc)
	}
	args = append(args, "-", "-o", objPath)
	return run(ctx, tools.Llc, args, input, nil)
}

// run executes one tool with stdin and stdout; its stderr becomes the error.
func run(ctx context.Context, tool string, args []string, stdin []byte, stdout *bytes.Buffer) error {
	cmd := exec.CommandContext(ctx, tool, args...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	if stdout != nil {
		cmd.Stdout = stdout
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if len(msg) > 4000 {
			msg = msg[:4000] + "…"
		}
		return fmt.Errorf("%s failed: %v: %s", filepath.Base(tool), err, msg)
	}
	return nil
}
