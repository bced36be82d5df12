// Package micro holds the micro-benchmarks shared by `go test -bench` and
// cmd/bench: call overhead in both directions and instantiation. Each is
// a func(*testing.B) over an engine.WasmEngine, so cmd/bench can run it
// through testing.Benchmark.
package micro

// CallModule returns a hand-encoded module equivalent to:
//
//	(module
//	  (import "env" "host" (func $host (param i32) (result i32)))
//	  (func (export "empty"))
//	  (func (export "call_host") (param $n i32) (result i32)
//	    (local $i i32) (local $acc i32)
//	    (block
//	      (br_if 0 (i32.eqz (local.get $n)))
//	      (loop
//	        (local.set $acc (call $host (local.get $acc)))
//	        (br_if 0 (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1)))
//	                           (local.get $n)))))
//	    (local.get $acc)))
//
// call_host(n) calls the host n times and returns n when the host returns
// its argument plus one.
func CallModule() []byte {
	const (
		i32       = 0x7f
		funcType  = 0x60
		exportFn  = 0x00
		opBlock   = 0x02
		opLoop    = 0x03
		opEnd     = 0x0b
		opBrIf    = 0x0d
		opCall    = 0x10
		opGet     = 0x20
		opSet     = 0x21
		opTee     = 0x22
		opI32     = 0x41
		opEqz     = 0x45
		opLtU     = 0x49
		opAdd     = 0x6a
		blockVoid = 0x40
	)
	types := vec(
		[]byte{funcType, 0, 0},
		[]byte{funcType, 1, i32, 1, i32},
	)
	imports := vec(cat(name("env"), name("host"), []byte{0x00, 1}))
	funcs := vec([]byte{0}, []byte{1})
	exports := vec(
		cat(name("empty"), []byte{exportFn, 1}),
		cat(name("call_host"), []byte{exportFn, 2}),
	)
	empty := sized([]byte{0, opEnd})
	callHost := sized([]byte{
		1, 2, i32, // two i32 locals: $i (1), $acc (2)
		opBlock, blockVoid,
		opGet, 0, opEqz, opBrIf, 0,
		opLoop, blockVoid,
		opGet, 2, opCall, 0, opSet, 2,
		opGet, 1, opI32, 1, opAdd, opTee, 1,
		opGet, 0, opLtU, opBrIf, 0,
		opEnd, opEnd,
		opGet, 2, opEnd,
	})
	code := vec(empty, callHost)
	return cat(
		[]byte{0x00, 'a', 's', 'm', 1, 0, 0, 0},
		section(1, types), section(2, imports), section(3, funcs),
		section(7, exports), section(10, code),
	)
}

func cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// uleb encodes n as unsigned LEB128.
func uleb(n int) []byte {
	var out []byte
	for {
		b := byte(n & 0x7f)
		n >>= 7
		if n == 0 {
			return append(out, b)
		}
		out = append(out, b|0x80)
	}
}

func sized(b []byte) []byte               { return cat(uleb(len(b)), b) }
func name(s string) []byte                { return sized([]byte(s)) }
func vec(items ...[]byte) []byte          { return cat(uleb(len(items)), cat(items...)) }
func section(id byte, body []byte) []byte { return cat([]byte{id}, sized(body)) }
