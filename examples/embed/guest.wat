;; The guest of the embedding example: a WASI command that creates
;; greeting.txt in its preopened directory (descriptor 3) and reports on
;; stdout. Any failed WASI call traps.
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close"
    (func $fd_close (param i32) (result i32)))
  (memory (export "memory") 1)

  (data (i32.const 16) "greeting.txt")             ;; 12 bytes
  (data (i32.const 32) "hello from the sandbox\n")  ;; 23 bytes
  (data (i32.const 64) "guest: wrote greeting.txt\n") ;; 26 bytes

  ;; write(fd, ptr, len) writes one buffer through an iovec at 0 and
  ;; traps unless it all went out.
  (func $write (param $fd i32) (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (if (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8))
      (then unreachable))
    (if (i32.ne (i32.load (i32.const 8)) (local.get $len))
      (then unreachable)))

  (func (export "_start")
    (local $fd i32)
    ;; path_open(dirfd 3, no symlink following, path, oflags CREAT|TRUNC,
    ;; rights fd_write, no inherited rights, no fdflags, result at 12)
    (if (call $path_open (i32.const 3) (i32.const 0) (i32.const 16) (i32.const 12)
          (i32.const 9) (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 12))
      (then unreachable))
    (local.set $fd (i32.load (i32.const 12)))
    (call $write (local.get $fd) (i32.const 32) (i32.const 23))
    (if (call $fd_close (local.get $fd)) (then unreachable))
    (call $write (i32.const 1) (i32.const 64) (i32.const 26))))
