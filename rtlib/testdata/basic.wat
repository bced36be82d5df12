;; The runtime's main test module, compiled by wasmaot's native back end
;; for the test binary's architecture (harness_test.go). Function indices
;; are fixed (the tests name some): 0 is the import env.host, 1..22 below.
;; The image tests (image_test.go) replace the lines between the memory
;; markers with other memories and data segments. The crafted object
;; (crafted_test.go) is this module with charge, move and set replaced by
;; machine code no back end emits (fuel metering, runtime memmove/memset).
(module
  (import "env" "host" (func $host (param i32) (result i32)))
  ;; memory:begin
  (memory (export "memory") 1 4)
  (data (i32.const 16) "hello")
  ;; memory:end
  (global $g (export "g") (mut i64) (i64.const 100))
  ;; charges counts the calls of charge (in the object as compiled)
  (global $charges (export "charges") (mut i64) (i64.const 0))

  ;; 1
  (func $add (export "add") (param i32 i32) (result i32)
    (i32.add (local.get 0) (local.get 1)))
  ;; 2: multiple results
  (func $swap (export "swap") (param i64 f64) (result f64 i64)
    (local.get 1) (local.get 0))
  ;; 3
  (func $half (export "half") (param f32) (result f32)
    (f32.mul (local.get 0) (f32.const 0.5)))
  ;; 4: exchanges the two 64-bit lanes
  (func $swaplanes (export "swaplanes") (param v128) (result v128)
    (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get 0) (local.get 0)))
  ;; 5
  (func $unreachable (export "unreachable")
    unreachable)
  ;; 6: host(x) + 1
  (func $call_host (export "call_host") (param i32) (result i32)
    (i32.add (call $host (local.get 0)) (i32.const 1)))
  ;; 7: never returns normally: exhausts the stack
  (func $recurse (export "recurse") (param i32) (result i32)
    (i32.add (call $recurse (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))
  ;; 8: loops until interrupted
  (func $spin (export "spin")
    (loop $l (br $l)))
  ;; 9
  (func $grow (export "grow") (param i32) (result i32)
    (memory.grow (local.get 0)))
  ;; 10
  (func $load (export "load") (param i32) (result i32)
    (i32.load align=1 (local.get 0)))
  ;; 11
  (func $store (export "store") (param i32 i32)
    (i32.store align=1 (local.get 0) (local.get 1)))
  ;; 12: traps on a zero divisor
  (func $div (export "div") (param i32 i32) (result i32)
    (i32.div_u (local.get 0) (local.get 1)))
  ;; 13: g += 1, returns the new value
  (func $counter (export "counter") (result i64)
    (global.set $g (i64.add (global.get $g) (i64.const 1)))
    (global.get $g))
  ;; 14: fills n bytes at dst with val, then copies them to dst+n
  (func $fill (export "fill") (param $dst i32) (param $val i32) (param $n i32)
    (memory.fill (local.get $dst) (local.get $val) (local.get $n))
    (memory.copy (i32.add (local.get $dst) (local.get $n)) (local.get $dst) (local.get $n)))
  ;; 15: the host calls back into wasm through this one
  (func $call_callback (export "call_callback") (param i32) (result i32)
    (call $call_host (local.get 0)))
  ;; 16
  (func $nop (export "nop"))
  ;; 17: calls the host n times with 0..n-1, summing the results
  (func $host_loop (export "host_loop") (param $n i32) (result i32)
    (local $i i32) (local $sum i32)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $sum (i32.add (local.get $sum) (call $host (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (local.get $sum))
  ;; 18: memory.grow by 0, n times, summing the results
  (func $grow_loop (export "grow_loop") (param $n i32) (result i32)
    (local $i i32) (local $sum i32)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $sum (i32.add (local.get $sum) (memory.grow (i32.const 0))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (local.get $sum))
  ;; 19: n iterations, calling charge once on entry and once per iteration
  ;; (n+1 units of fuel once charge is the metering sequence)
  (func $burn (export "burn") (param $n i32) (result i32)
    (local $i i32)
    (call $charge)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (call $charge)
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (local.get $i))
  ;; 20: memory.copy; 1 (the crafted object calls the runtime's memmove
  ;; instead, and returns whether it returned dst)
  (func $move (export "move") (param $dst i32) (param $src i32) (param $n i32) (result i32)
    (memory.copy (local.get $dst) (local.get $src) (local.get $n))
    (i32.const 1))
  ;; 21: memory.fill; 1 (the crafted object calls the runtime's memset)
  (func $set (export "set") (param $dst i32) (param $val i32) (param $n i32) (result i32)
    (memory.fill (local.get $dst) (local.get $val) (local.get $n))
    (i32.const 1))
  ;; 22: one unit of work; the crafted object's charge subtracts one unit
  ;; of fuel instead (abi.ThreadFuel)
  (func $charge (export "charge")
    (global.set $charges (i64.add (global.get $charges) (i64.const 1))))
)
