//! stdin: copies stdin to stdout upper-cased, line by line through a
//! BufReader, and counts bytes and complete lines.
use std::io::{self, BufRead, Write};

fn main() {
    let stdin = io::stdin();
    let mut reader = stdin.lock();
    let out = io::stdout();
    let mut out = io::BufWriter::new(out.lock());
    let (mut bytes, mut lines) = (0usize, 0usize);
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = reader.read_until(b'\n', &mut line).expect("read");
        if n == 0 {
            break;
        }
        bytes += n;
        if line.ends_with(b"\n") {
            lines += 1;
        }
        out.write_all(&line.to_ascii_uppercase()).unwrap();
    }
    writeln!(out, "bytes={} lines={}", bytes, lines).unwrap();
}
