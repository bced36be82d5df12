//! threads: a program written as if it were multi-threaded — Arc, Mutex,
//! RwLock, Condvar, channels, atomics, Once and thread-locals — run on
//! wasm32-wasi, which has one thread: thread::spawn reports Unsupported and
//! the program runs each worker inline instead.
use std::cell::Cell;
use std::io::ErrorKind;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex, Once, RwLock};
use std::thread;

static INIT: Once = Once::new();
static CALLS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static LOCAL: Cell<u32> = Cell::new(0);
}

fn worker(id: usize, shared: Arc<Mutex<Vec<usize>>>, tx: mpsc::Sender<usize>, table: Arc<RwLock<Vec<u64>>>) {
    INIT.call_once(|| println!("initialised once (by worker {})", id));
    CALLS.fetch_add(1, Ordering::SeqCst);
    LOCAL.with(|l| l.set(l.get() + 1));
    let sum: u64 = table.read().unwrap().iter().sum();
    table.write().unwrap().push(id as u64);
    shared.lock().unwrap().push(id * id);
    tx.send(id + sum as usize).unwrap();
}

fn main() {
    let shared = Arc::new(Mutex::new(Vec::new()));
    let table = Arc::new(RwLock::new(vec![1u64, 2, 3]));
    let (tx, rx) = mpsc::channel();
    let mut inline = 0;
    let mut handles = Vec::new();
    for id in 0..4 {
        let (s, t, tb) = (Arc::clone(&shared), tx.clone(), Arc::clone(&table));
        match thread::Builder::new().name(format!("w{}", id)).spawn(move || worker(id, s, t, tb)) {
            Ok(h) => handles.push(h),
            Err(e) if e.kind() == ErrorKind::Unsupported => {
                inline += 1;
                worker(id, Arc::clone(&shared), tx.clone(), Arc::clone(&table));
            }
            Err(e) => panic!("spawn: {}", e),
        }
    }
    for h in handles {
        h.join().unwrap();
    }
    drop(tx);
    let received: Vec<usize> = rx.iter().collect();
    println!("spawned={} inline={}", 4 - inline, inline);
    println!("received={:?}", received);
    println!("squares={:?}", shared.lock().unwrap());
    println!("table={:?}", table.read().unwrap());
    println!("calls={} local={}", CALLS.load(Ordering::SeqCst), LOCAL.with(|l| l.get()));

    // A condition variable whose predicate already holds never waits.
    let pair = Arc::new((Mutex::new(true), Condvar::new()));
    let (lock, cvar) = &*pair;
    cvar.notify_all();
    let ready = cvar.wait_while(lock.lock().unwrap(), |ready| !*ready).unwrap();
    println!("condvar ready={}", *ready);
    println!("available_parallelism={:?}", thread::available_parallelism().map(|n| n.get()).map_err(|e| e.kind()));
    println!("current thread name={:?}", thread::current().name());
}
