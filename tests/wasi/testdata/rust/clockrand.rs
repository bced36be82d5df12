//! clockrand: the realtime clock (the test fixes it), the monotonic clock
//! across a sleep, and random_get (the test makes it count up), called
//! both directly and through std's HashMap seeding.
use std::collections::HashMap;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

#[link(wasm_import_module = "wasi_snapshot_preview1")]
extern "C" {
    #[link_name = "random_get"]
    fn wasi_random_get(buf: *mut u8, len: usize) -> i32;
}

fn main() {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    println!("realtime={}.{:09}", now.as_secs(), now.subsec_nanos());
    let start = Instant::now();
    std::thread::sleep(Duration::from_millis(20));
    let slept = start.elapsed();
    println!("slept at least 20ms: {}", if slept >= Duration::from_millis(20) { "yes" } else { "no" });
    let later = Instant::now();
    println!("monotonic: {}", if later >= start { "ok" } else { "went backwards" });
    let mut buf = [0u8; 16];
    let errno = unsafe { wasi_random_get(buf.as_mut_ptr(), buf.len()) };
    let hex: String = buf.iter().map(|b| format!("{:02x}", b)).collect();
    println!("random_get={} {}", errno, hex);
    let mut m = HashMap::new();
    for i in 0..100 {
        m.insert(i, i * i);
    }
    println!("hashmap sum={}", m.values().sum::<i32>());
}
