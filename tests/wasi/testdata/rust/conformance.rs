//! conformance: WASI preview1 edge cases through raw calls, printing the
//! errno each answers. The expected output (conformance.out) holds
//! wasmtime's answers where its own test programs pin them (directory
//! descriptors cannot seek, tell, read or write; trailing slashes mean
//! "must be a directory" on every path call, with Linux's errnos) and the
//! preview1 rights model as wasmtime's wasi-common enforced it (missing
//! rights answer ENOTCAPABLE; rights are inherited and only shrink). Descriptor 3 is the
//! preopened scratch directory; the test creates "file" (6 bytes) and
//! "dir" in it.
use std::fs::File;
use std::io::Read;

type Fd = u32;
type Rights = u64;

#[repr(C)]
#[derive(Default)]
struct Fdstat {
    filetype: u8,
    flags: u16,
    base: Rights,
    inheriting: Rights,
}

#[repr(C)]
#[derive(Default)]
struct Filestat {
    dev: u64,
    ino: u64,
    filetype: u8,
    nlink: u64,
    size: u64,
    atim: u64,
    mtim: u64,
    ctim: u64,
}

#[repr(C)]
struct Iovec {
    buf: *mut u8,
    len: usize,
}

#[link(wasm_import_module = "wasi_snapshot_preview1")]
extern "C" {
    #[link_name = "path_open"]
    fn raw_path_open(fd: Fd, dirflags: u32, path: *const u8, len: usize, oflags: u32, base: Rights, inheriting: Rights, fdflags: u32, out: *mut Fd) -> i32;
    #[link_name = "fd_close"]
    fn raw_fd_close(fd: Fd) -> i32;
    #[link_name = "fd_seek"]
    fn raw_fd_seek(fd: Fd, offset: i64, whence: u32, out: *mut u64) -> i32;
    #[link_name = "fd_tell"]
    fn raw_fd_tell(fd: Fd, out: *mut u64) -> i32;
    #[link_name = "fd_read"]
    fn raw_fd_read(fd: Fd, iovs: *const Iovec, n: usize, out: *mut usize) -> i32;
    #[link_name = "fd_pread"]
    fn raw_fd_pread(fd: Fd, iovs: *const Iovec, n: usize, offset: u64, out: *mut usize) -> i32;
    #[link_name = "fd_write"]
    fn raw_fd_write(fd: Fd, iovs: *const Iovec, n: usize, out: *mut usize) -> i32;
    #[link_name = "fd_pwrite"]
    fn raw_fd_pwrite(fd: Fd, iovs: *const Iovec, n: usize, offset: u64, out: *mut usize) -> i32;
    #[link_name = "fd_fdstat_get"]
    fn raw_fd_fdstat_get(fd: Fd, out: *mut Fdstat) -> i32;
    #[link_name = "fd_fdstat_set_rights"]
    fn raw_fd_fdstat_set_rights(fd: Fd, base: Rights, inheriting: Rights) -> i32;
    #[link_name = "fd_filestat_set_size"]
    fn raw_fd_filestat_set_size(fd: Fd, size: u64) -> i32;
    #[link_name = "path_create_directory"]
    fn raw_path_create_directory(fd: Fd, path: *const u8, len: usize) -> i32;
    #[link_name = "path_remove_directory"]
    fn raw_path_remove_directory(fd: Fd, path: *const u8, len: usize) -> i32;
    #[link_name = "path_unlink_file"]
    fn raw_path_unlink_file(fd: Fd, path: *const u8, len: usize) -> i32;
    #[link_name = "path_link"]
    fn raw_path_link(old: Fd, flags: u32, op: *const u8, ol: usize, new: Fd, np: *const u8, nl: usize) -> i32;
    #[link_name = "path_symlink"]
    fn raw_path_symlink(op: *const u8, ol: usize, fd: Fd, np: *const u8, nl: usize) -> i32;
    #[link_name = "path_rename"]
    fn raw_path_rename(old: Fd, op: *const u8, ol: usize, new: Fd, np: *const u8, nl: usize) -> i32;
    #[link_name = "path_filestat_get"]
    fn raw_path_filestat_get(fd: Fd, flags: u32, path: *const u8, len: usize, out: *mut Filestat) -> i32;
    #[link_name = "path_filestat_set_times"]
    fn raw_path_filestat_set_times(fd: Fd, flags: u32, path: *const u8, len: usize, atim: u64, mtim: u64, fst: u32) -> i32;
}

const SCRATCH: Fd = 3;
const OFLAGS_CREAT: u32 = 1;
const OFLAGS_DIRECTORY: u32 = 2;
const OFLAGS_TRUNC: u32 = 8;
const WHENCE_SET: u32 = 0;
const WHENCE_CUR: u32 = 1;
const FD_DATASYNC: Rights = 1 << 0;
const FD_READ: Rights = 1 << 1;
const FD_SEEK: Rights = 1 << 2;
const FD_TELL: Rights = 1 << 5;
const FD_WRITE: Rights = 1 << 6;
const FD_ALLOCATE: Rights = 1 << 8;
const PATH_CREATE_DIRECTORY: Rights = 1 << 9;
const PATH_OPEN: Rights = 1 << 13;
const FD_READDIR: Rights = 1 << 14;
const PATH_FILESTAT_SET_SIZE: Rights = 1 << 19;
const FD_FILESTAT_SET_SIZE: Rights = 1 << 22;
const ALL: Rights = (1 << 29) - 1;

fn show(what: &str, errno: i32) {
    println!("{}: {}", what, errno);
}

fn open(dir: Fd, path: &str, oflags: u32, base: Rights, inheriting: Rights) -> (i32, Fd) {
    let mut fd = 0;
    let e = unsafe { raw_path_open(dir, 0, path.as_ptr(), path.len(), oflags, base, inheriting, 0, &mut fd) };
    (e, fd)
}

fn must_open(dir: Fd, path: &str, oflags: u32, base: Rights, inheriting: Rights) -> Fd {
    let (e, fd) = open(dir, path, oflags, base, inheriting);
    assert_eq!(e, 0, "path_open {}", path);
    fd
}

fn try_open(what: &str, dir: Fd, path: &str, oflags: u32, base: Rights) {
    let (e, fd) = open(dir, path, oflags, base, 0);
    show(what, e);
    if e == 0 {
        unsafe { raw_fd_close(fd) };
    }
}

fn fdstat(fd: Fd) -> Fdstat {
    let mut st = Fdstat::default();
    assert_eq!(unsafe { raw_fd_fdstat_get(fd, &mut st) }, 0);
    st
}

fn size_of(path: &str) -> u64 {
    let mut st = Filestat::default();
    assert_eq!(unsafe { raw_path_filestat_get(SCRATCH, 0, path.as_ptr(), path.len(), &mut st) }, 0);
    st.size
}

fn path_call(f: unsafe extern "C" fn(Fd, *const u8, usize) -> i32, fd: Fd, path: &str) -> i32 {
    unsafe { f(fd, path.as_ptr(), path.len()) }
}

fn link(from: &str, to: &str) -> i32 {
    unsafe { raw_path_link(SCRATCH, 0, from.as_ptr(), from.len(), SCRATCH, to.as_ptr(), to.len()) }
}

fn symlink(target: &str, name: &str) -> i32 {
    unsafe { raw_path_symlink(target.as_ptr(), target.len(), SCRATCH, name.as_ptr(), name.len()) }
}

fn rename(from: &str, to: &str) -> i32 {
    unsafe { raw_path_rename(SCRATCH, from.as_ptr(), from.len(), SCRATCH, to.as_ptr(), to.len()) }
}

fn directories() {
    let mut buf = [0u8; 8];
    let iov = Iovec { buf: buf.as_mut_ptr(), len: buf.len() };
    let mut n = 0usize;
    let mut pos = 0u64;
    let dir = must_open(SCRATCH, "dir", OFLAGS_DIRECTORY, FD_SEEK | FD_TELL | FD_READ | FD_READDIR, ALL);
    for (name, fd) in [("opened dir", dir), ("preopen", SCRATCH)] {
        println!("{} holds fd_seek: {}", name, fdstat(fd).base & FD_SEEK != 0);
        unsafe {
            show(&format!("{} fd_seek cur", name), raw_fd_seek(fd, 0, WHENCE_CUR, &mut pos));
            show(&format!("{} fd_seek set 1", name), raw_fd_seek(fd, 1, WHENCE_SET, &mut pos));
            show(&format!("{} fd_tell", name), raw_fd_tell(fd, &mut pos));
            show(&format!("{} fd_read", name), raw_fd_read(fd, &iov, 1, &mut n));
            show(&format!("{} fd_pread", name), raw_fd_pread(fd, &iov, 1, 0, &mut n));
            show(&format!("{} fd_write", name), raw_fd_write(fd, &iov, 1, &mut n));
            show(&format!("{} fd_pwrite", name), raw_fd_pwrite(fd, &iov, 1, 0, &mut n));
        }
    }
    unsafe { raw_fd_close(dir) };
    try_open("open dir O_DIRECTORY fd_write", SCRATCH, "dir", OFLAGS_DIRECTORY, FD_WRITE);
    try_open("open dir O_DIRECTORY fd_read|fd_write", SCRATCH, "dir", OFLAGS_DIRECTORY, FD_READ | FD_WRITE);
    try_open("open dir fd_write", SCRATCH, "dir", 0, FD_WRITE);
    try_open("open dir O_DIRECTORY|O_TRUNC", SCRATCH, "dir", OFLAGS_DIRECTORY | OFLAGS_TRUNC, FD_READDIR);
    try_open("open dir O_DIRECTORY fd_read|fd_readdir", SCRATCH, "dir", OFLAGS_DIRECTORY, FD_READ | FD_READDIR);
    try_open("open file O_DIRECTORY", SCRATCH, "file", OFLAGS_DIRECTORY, FD_READDIR);
    // Through std: reading a directory opened as a file fails with EBADF.
    let r = File::open("/scratch/dir").and_then(|mut f| f.read(&mut buf));
    println!("std read of a directory: {:?}", r.map_err(|e| e.raw_os_error()));
}

fn trailing_slashes() {
    show("link file/ -> link", link("file/", "link"));
    show("link file -> link/", link("file", "link/"));
    show("link file -> dir/", link("file", "dir/"));
    show("symlink -> target/ (absent)", symlink("source", "target/"));
    show("symlink -> dir/", symlink("source", "dir/"));
    show("symlink -> file/", symlink("source", "file/"));
    show("rename file/ -> target", rename("file/", "target"));
    show("rename file -> target/", rename("file", "target/"));
    show("rename file/ -> target/", rename("file/", "target/"));
    show("unlink file/", path_call(raw_path_unlink_file, SCRATCH, "file/"));
    show("unlink dir/", path_call(raw_path_unlink_file, SCRATCH, "dir/"));
    show("rmdir file/", path_call(raw_path_remove_directory, SCRATCH, "file/"));
    show("mkdir file/", path_call(raw_path_create_directory, SCRATCH, "file/"));
    try_open("open file/", SCRATCH, "file/", 0, FD_READ);
    try_open("open absent/ O_CREAT", SCRATCH, "absent/", OFLAGS_CREAT, FD_READ | FD_WRITE);
    let mut st = Filestat::default();
    show("filestat_get file/", unsafe { raw_path_filestat_get(SCRATCH, 0, "file/".as_ptr(), 5, &mut st) });
    show("filestat_set_times file/", unsafe { raw_path_filestat_set_times(SCRATCH, 0, "file/".as_ptr(), 5, 1, 1, 1 | 4) });
    // Directories accept the slash.
    show("mkdir sub/", path_call(raw_path_create_directory, SCRATCH, "sub/"));
    show("rename sub/ -> sub2/", rename("sub/", "sub2/"));
    show("rmdir sub2/", path_call(raw_path_remove_directory, SCRATCH, "sub2/"));
    println!("file still {} bytes", size_of("file"));
}

fn rights() {
    let mut pos = 0u64;
    let mut buf = *b"xyz";
    let iov = Iovec { buf: buf.as_mut_ptr(), len: buf.len() };
    let mut n = 0usize;

    // A file opened for reading only.
    let ro = must_open(SCRATCH, "file", 0, FD_READ | FD_SEEK | FD_TELL, 0);
    println!("read-only file rights: {:#x}", fdstat(ro).base);
    show("fd_write without fd_write", unsafe { raw_fd_write(ro, &iov, 1, &mut n) });
    show("fd_filestat_set_size without the right", unsafe { raw_fd_filestat_set_size(ro, 0) });
    show("fd_tell with fd_seek", unsafe { raw_fd_tell(ro, &mut pos) });
    show("widen rights", unsafe { raw_fd_fdstat_set_rights(ro, FD_READ | FD_SEEK | FD_TELL | FD_WRITE, 0) });
    show("narrow to fd_read|fd_tell", unsafe { raw_fd_fdstat_set_rights(ro, FD_READ | FD_TELL, 0) });
    show("fd_seek set after dropping fd_seek", unsafe { raw_fd_seek(ro, 2, WHENCE_SET, &mut pos) });
    show("fd_tell with fd_tell", unsafe { raw_fd_tell(ro, &mut pos) });
    show("widen back", unsafe { raw_fd_fdstat_set_rights(ro, FD_READ | FD_SEEK, 0) });
    unsafe { raw_fd_close(ro) };

    // Truncation needs a right.
    let d = must_open(SCRATCH, ".", OFLAGS_DIRECTORY, ALL & !(FD_READ | FD_WRITE | FD_SEEK | FD_TELL | FD_DATASYNC | FD_ALLOCATE), ALL);
    let st = fdstat(d);
    show("drop path_filestat_set_size and inherited fd_filestat_set_size",
        unsafe { raw_fd_fdstat_set_rights(d, st.base & !PATH_FILESTAT_SET_SIZE, st.inheriting & !FD_FILESTAT_SET_SIZE) });
    try_open("open O_TRUNC without either right", d, "file", OFLAGS_TRUNC, FD_READ | FD_WRITE | FD_FILESTAT_SET_SIZE);
    println!("file still {} bytes", size_of("file"));
    let f = must_open(d, "file", 0, ALL & !FD_WRITE & !FD_DATASYNC & !FD_ALLOCATE, 0);
    println!("granted fd_filestat_set_size: {}", fdstat(f).base & FD_FILESTAT_SET_SIZE != 0);
    show("fd_filestat_set_size", unsafe { raw_fd_filestat_set_size(f, 0) });
    unsafe { raw_fd_close(f) };
    println!("file still {} bytes", size_of("file"));
    unsafe { raw_fd_close(d) };

    // path_open grants at most the directory's inheriting rights.
    let d = must_open(SCRATCH, ".", OFLAGS_DIRECTORY, PATH_OPEN | PATH_CREATE_DIRECTORY, ALL);
    show("narrow inheriting to fd_read|fd_seek", unsafe { raw_fd_fdstat_set_rights(d, PATH_OPEN, FD_READ | FD_SEEK) });
    let f = must_open(d, "file", 0, ALL, ALL);
    let st = fdstat(f);
    println!("child of narrowed dir: base {:#x} inheriting {:#x}", st.base, st.inheriting);
    unsafe { raw_fd_close(f) };
    show("mkdir without path_create_directory", path_call(raw_path_create_directory, d, "nope"));
    show("widen inheriting", unsafe { raw_fd_fdstat_set_rights(d, PATH_OPEN, FD_READ | FD_SEEK | FD_WRITE) });
    show("drop path_open", unsafe { raw_fd_fdstat_set_rights(d, 0, 0) });
    try_open("open without path_open", d, "file", 0, FD_READ);
    unsafe { raw_fd_close(d) };
}

fn main() {
    println!("== directories");
    directories();
    println!("== trailing slashes");
    trailing_slashes();
    println!("== rights");
    rights();
}
