;; fifo: opens "fifo" in the preopened descriptor 3 for reading (following
;; links) and reads from it. Exits with 100 + errno if path_open fails,
;; with 50 + errno if fd_read fails, and with the byte count read
;; otherwise. With no writer the read waits, so only a deadline ends it.
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read"
    (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "fifo")
  (func (export "_start")
    (local $e i32)
    ;; fd lands at 32; rights fd_read (2).
    (local.set $e
      (call $path_open (i32.const 3) (i32.const 1) (i32.const 16) (i32.const 4)
        (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 32)))
    (if (local.get $e) (then (call $proc_exit (i32.add (i32.const 100) (local.get $e)))))
    ;; One iovec at 40: 64 bytes at 128; the count lands at 48.
    (i32.store (i32.const 40) (i32.const 128))
    (i32.store (i32.const 44) (i32.const 64))
    (local.set $e (call $fd_read (i32.load (i32.const 32)) (i32.const 40) (i32.const 1) (i32.const 48)))
    (if (local.get $e) (then (call $proc_exit (i32.add (i32.const 50) (local.get $e)))))
    (call $proc_exit (i32.load (i32.const 48)))))
