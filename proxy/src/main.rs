//! `paybridge-proxy`: the reference signing proxy, the sandbox gateways and
//! the demo server, in one binary.
//!
//! ```text
//! paybridge-proxy demo [--port N] [--root DIR]
//! ```

use paybridge_proxy::demo;
use std::net::SocketAddr;
use std::path::PathBuf;

const USAGE: &str = "usage: paybridge-proxy demo [--port N] [--root DIR]";

/// Command-line options of the `demo` subcommand.
struct DemoArgs {
    port: u16,
    root: PathBuf,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<DemoArgs, String> {
    match args.next().as_deref() {
        Some("demo") => {}
        _ => return Err(USAGE.to_owned()),
    }
    let mut out = DemoArgs { port: 8080, root: PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/..")) };
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        match flag.as_str() {
            "--port" => out.port = value.parse().map_err(|_| format!("bad port {value:?}"))?,
            "--root" => out.root = PathBuf::from(value),
            _ => return Err(format!("unknown option {flag}\n{USAGE}")),
        }
    }
    Ok(out)
}

#[tokio::main]
async fn main() {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(msg) => {
            eprintln!("{msg}");
            std::process::exit(2);
        }
    };
    let addr = SocketAddr::from(([127, 0, 0, 1], args.port));
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("cannot listen on {addr}: {e}");
            std::process::exit(1);
        }
    };
    let local = listener.local_addr().unwrap_or(addr);
    println!("paybridge demo: http://{local}/");
    let app = demo::router(&args.root);
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    if let Err(e) = axum::serve(listener, app).with_graceful_shutdown(shutdown).await {
        eprintln!("server error: {e}");
        std::process::exit(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Result<DemoArgs, String> {
        parse_args(list.iter().map(|s| s.to_string()))
    }

    #[test]
    fn parses_demo_flags() {
        let a = args(&["demo", "--port", "9000", "--root", "/x"]).unwrap();
        assert_eq!((a.port, a.root), (9000, PathBuf::from("/x")));
        assert_eq!(args(&["demo"]).unwrap().port, 8080);
        assert!(args(&[]).is_err());
        assert!(args(&["demo", "--port"]).is_err());
        assert!(args(&["demo", "--port", "x"]).is_err());
        assert!(args(&["demo", "--bogus", "1"]).is_err());
    }
}
