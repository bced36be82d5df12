package engine

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
)

// Native runs the native build of a program as a child process. Go
// programs run with GOMAXPROCS=1, matching the single thread a wasm
// instance gets.
type Native struct{}

// NewNative returns the native engine.
func NewNative() *Native { return &Native{} }

// Name implements Engine.
func (*Native) Name() string { return "native" }

// Prepare implements Engine; it only checks that the executable exists.
func (*Native) Prepare(a *Artifact) (Program, error) {
	if _, err := os.Stat(a.NativePath); err != nil {
		return nil, fmt.Errorf("native %s: %w", a.Name, err)
	}
	return nativeProgram{name: a.Name, path: a.NativePath}, nil
}

// Close implements Engine.
func (*Native) Close() error { return nil }

type nativeProgram struct{ name, path string }

func (p nativeProgram) Run(args []string) ([]byte, error) {
	cmd := exec.Command(p.path, args...)
	cmd.Env = append(os.Environ(), "GOMAXPROCS=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return stdout.Bytes(), fmt.Errorf("native %s: %w: %s", p.name, err, bytes.TrimSpace(stderr.Bytes()))
	}
	return stdout.Bytes(), nil
}

func (nativeProgram) Close() error { return nil }
