;; longpath: grows memory to hold a 64 MiB path of 'a's and passes it to
;; path_open, path_create_directory and (as a link target) path_symlink on
;; the preopened descriptor 3. Exits with the errno when all three agree,
;; with 200 otherwise.
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_create_directory"
    (func $mkdir (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_symlink"
    (func $symlink (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "x")
  (func (export "_start")
    (local $e i32)
    ;; 1024 pages of path after the first page.
    (if (i32.eq (memory.grow (i32.const 1024)) (i32.const -1))
      (then (call $proc_exit (i32.const 201))))
    (memory.fill (i32.const 65536) (i32.const 97) (i32.const 67108864))
    (local.set $e
      (call $path_open (i32.const 3) (i32.const 0) (i32.const 65536) (i32.const 67108864)
        (i32.const 1) (i64.const 0x1fffffff) (i64.const 0) (i32.const 0) (i32.const 0)))
    (if (i32.ne (call $mkdir (i32.const 3) (i32.const 65536) (i32.const 67108864)) (local.get $e))
      (then (call $proc_exit (i32.const 200))))
    (if (i32.ne (call $symlink (i32.const 65536) (i32.const 67108864) (i32.const 3) (i32.const 16) (i32.const 1))
          (local.get $e))
      (then (call $proc_exit (i32.const 200))))
    (call $proc_exit (local.get $e))))
