;; spin: a WASI command that loops forever without calling the host, so
;; only an interrupt (a deadline) can end it.
(module
  (memory (export "memory") 1)
  (func (export "_start")
    (loop $forever (br $forever))))
