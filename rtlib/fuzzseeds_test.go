package rtlib

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/wasmaot/wasmaot/rtlib/abi"
)

var updateFuzzSeeds = flag.Bool("update-fuzz-seeds", false, "rebuild testdata/fuzz/FuzzLoad from the test modules (compiled by the native back ends)")

const fuzzLoadDir = "testdata/fuzz/FuzzLoad"

// fuzzSeedObjects builds the objects committed as FuzzLoad seeds: every
// test module for both architectures, compiled by the native back ends,
// and the crafted objects (which call runtime symbols).
func fuzzSeedObjects(t *testing.T) map[string][]byte {
	seeds := map[string][]byte{}
	for _, arch := range []abi.Arch{abi.ArchAMD64, abi.ArchARM64} {
		seeds["basic-"+arch.String()] = basicObjectFor(t, arch)
		seeds["externs-"+arch.String()] = externsObjectFor(t, arch)
		seeds["crafted-"+arch.String()] = craftedObjectFor(t, arch)
		seeds["undefined-"+arch.String()] = undefinedObjectFor(t, arch)
	}
	return seeds
}

// TestFuzzLoadSeeds checks that the committed seeds for this architecture
// still load, so that fuzzing starts from valid objects; after a change
// to the object format, rebuild them with
//
//	go test ./rtlib -run TestFuzzLoadSeeds -update-fuzz-seeds
func TestFuzzLoadSeeds(t *testing.T) {
	if *updateFuzzSeeds {
		if err := os.MkdirAll(fuzzLoadDir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, obj := range fuzzSeedObjects(t) {
			data := fmt.Sprintf("go test fuzz v1\n[]byte(%s)\n", strconv.Quote(string(obj)))
			if err := os.WriteFile(filepath.Join(fuzzLoadDir, name), []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, name := range []string{"basic", "externs", "crafted"} {
		path := filepath.Join(fuzzLoadDir, name+"-"+hostArch.String())
		obj, err := readFuzzSeed(path)
		if err != nil {
			t.Fatal(err)
		}
		m, err := Load(obj)
		if err != nil {
			t.Fatalf("%s no longer loads (%v); rebuild the seeds with -update-fuzz-seeds", path, err)
		}
		m.Close()
	}
}

// readFuzzSeed decodes a one-[]byte corpus file.
func readFuzzSeed(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	body, ok := strings.CutPrefix(string(data), "go test fuzz v1\n[]byte(")
	body, ok2 := strings.CutSuffix(strings.TrimSpace(body), ")")
	if !ok || !ok2 {
		return nil, fmt.Errorf("%s: not a []byte corpus file", path)
	}
	s, err := strconv.Unquote(body)
	return []byte(s), err
}
