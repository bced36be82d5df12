//! hello: arguments, environment, stdout, stderr and exit codes.
//! `hello exit N` exits with status N through std::process::exit;
//! `hello panic` panics, which on wasm32-wasi aborts with a trap.
use std::env;
use std::io::Write;
use std::process;

fn main() {
    let args: Vec<String> = env::args().collect();
    println!("argc={}", args.len());
    for (i, a) in args.iter().enumerate() {
        println!("argv[{}]={}", i, a);
    }
    // vars_os: env::vars() would panic on an entry that is not UTF-8.
    let mut vars: Vec<(String, String)> = env::vars_os()
        .map(|(k, v)| (k.to_string_lossy().into_owned(), v.to_string_lossy().into_owned()))
        .collect();
    vars.sort();
    println!("environ entries={}", vars.len());
    for (k, v) in &vars {
        println!("{}={}", k, v);
    }
    println!("HOME={}", env::var("HOME").unwrap_or_else(|_| "(unset)".into()));
    match env::var("NOT_UTF8") {
        Err(env::VarError::NotUnicode(_)) => println!("NOT_UTF8 is not unicode"),
        other => println!("NOT_UTF8: {:?}", other.is_ok()),
    }
    writeln!(std::io::stderr(), "to stderr").unwrap();
    match args.get(1).map(String::as_str) {
        Some("exit") => {
            std::io::stdout().flush().unwrap();
            process::exit(args[2].parse().expect("exit code"));
        }
        Some("panic") => panic!("asked to panic"),
        _ => {}
    }
}
