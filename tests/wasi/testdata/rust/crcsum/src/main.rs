//! crcsum prints the CRC-32 (IEEE) of stdin and of every file named on the
//! command line, computed by the crc32fast crate, and the first bytes of
//! each in hex through the hex crate.
use std::io::Read;

fn report(name: &str, data: &[u8]) {
    let mut h = crc32fast::Hasher::new();
    h.update(data);
    let head = &data[..data.len().min(8)];
    println!("{} {:08x} {} {}", name, h.finalize(), data.len(), hex::encode(head));
}

fn main() {
    let mut input = Vec::new();
    std::io::stdin().read_to_end(&mut input).expect("reading stdin");
    report("-", &input);
    for path in std::env::args().skip(1) {
        match std::fs::read(&path) {
            Ok(data) => report(&path, &data),
            Err(e) => {
                eprintln!("{}: {}", path, e);
                std::process::exit(2);
            }
        }
    }
}
