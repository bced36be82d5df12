;; grow: asks for 8 more pages, then for 32 more, and reports through its
;; exit code which requests succeeded: bit 0 set when the first grow
;; succeeded, bit 1 set when the second was refused (returned -1).
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (local $code i32)
    (if (i32.eq (memory.grow (i32.const 8)) (i32.const 1))
      (then (local.set $code (i32.const 1))))
    (if (i32.eq (memory.grow (i32.const 32)) (i32.const -1))
      (then (local.set $code (i32.or (local.get $code) (i32.const 2)))))
    (call $proc_exit (local.get $code))))
