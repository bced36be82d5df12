//! files: std::fs in a preopened directory (/sandbox): directories, writes,
//! appends, reads, seeks, truncation, copies, renames, hard links, listing,
//! metadata, removal, and the errors a program sees (as WASI errno values,
//! which wasi-libc's errno equals).
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};

const ROOT: &str = "/sandbox";

fn p(rel: &str) -> String {
    format!("{}/{}", ROOT, rel)
}

fn errno<T>(what: &str, r: io::Result<T>) {
    match r {
        Ok(_) => println!("{}: ok", what),
        Err(e) => match e.raw_os_error() {
            Some(n) => println!("{}: errno {}", what, n),
            None => println!("{}: {:?}", what, e.kind()),
        },
    }
}

fn list(dir: &str) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(p(dir))
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let t = e.file_type().unwrap();
            let kind = if t.is_dir() { "/" } else if t.is_symlink() { "@" } else { "" };
            format!("{}{}", e.file_name().to_string_lossy(), kind)
        })
        .collect();
    names.sort();
    names
}

fn main() -> io::Result<()> {
    fs::create_dir_all(p("a/b/c"))?;
    fs::write(p("a/b/c/f.txt"), "hello")?;
    let mut f = OpenOptions::new().append(true).open(p("a/b/c/f.txt"))?;
    f.write_all(b"+tail")?;
    drop(f);
    println!("read: {}", fs::read_to_string(p("a/b/c/f.txt"))?);

    let mut f = File::open(p("a/b/c/f.txt"))?;
    f.seek(SeekFrom::Start(6))?;
    let mut rest = String::new();
    f.read_to_string(&mut rest)?;
    println!("after seek 6: {} (position {})", rest, f.stream_position()?);
    println!("seek end -4: {}", f.seek(SeekFrom::End(-4))?);

    let md = fs::metadata(p("a/b/c/f.txt"))?;
    println!("len={} file={} dir={}", md.len(), md.is_file(), md.is_dir());
    println!("dir is dir: {}", fs::metadata(p("a/b"))?.is_dir());

    fs::copy(p("a/b/c/f.txt"), p("copy.txt"))?;
    let f = OpenOptions::new().write(true).open(p("copy.txt"))?;
    f.set_len(3)?;
    drop(f);
    println!("truncated copy: {:?}", fs::read_to_string(p("copy.txt"))?);

    let mut f = OpenOptions::new().read(true).write(true).create(true).open(p("rw.bin"))?;
    f.write_all(&[1, 2, 3, 4, 5, 6, 7, 8])?;
    f.seek(SeekFrom::Start(2))?;
    f.write_all(&[0xff, 0xfe])?;
    f.rewind()?;
    let mut all = Vec::new();
    f.read_to_end(&mut all)?;
    println!("rw.bin: {:?}", all);

    fs::rename(p("copy.txt"), p("a/moved.txt"))?;
    fs::hard_link(p("a/moved.txt"), p("a/hard.txt"))?;
    fs::write(p("a/hard.txt"), "via hard link")?;
    println!("moved after writing hard link: {}", fs::read_to_string(p("a/moved.txt"))?);
    println!("list /: {:?}", list(""));
    println!("list a: {:?}", list("a"));

    errno("open missing", File::open(p("missing")));
    errno("create_dir existing", fs::create_dir(p("a")));
    errno("remove_dir non-empty", fs::remove_dir(p("a")));
    errno("read_dir a file", fs::read_dir(p("rw.bin")));
    errno("open file/ ", File::open(p("rw.bin/")));
    errno("read a directory", File::open(p("a")).and_then(|mut f| f.read(&mut [0u8; 4])));
    errno("write a directory", OpenOptions::new().write(true).open(p("a")));
    errno("escape with ..", File::open(p("../etc/passwd")));
    errno("absolute outside", File::open("/etc/passwd"));
    errno("create_new existing", OpenOptions::new().write(true).create_new(true).open(p("rw.bin")));

    fs::remove_file(p("rw.bin"))?;
    fs::remove_dir_all(p("a/b"))?;
    println!("list a after removal: {:?}", list("a"));
    Ok(())
}
