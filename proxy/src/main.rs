//! `paybridge-proxy`: the reference signing proxy, the sandbox gateways and
//! the demo server, in one binary.
//!
//! ```text
//! paybridge-proxy demo  [--port N] [--root DIR] [--store URL]
//! paybridge-proxy proxy --config FILE --orders URL [--port N]
//! ```
//! `demo` serves everything on 127.0.0.1 (default port 8080), with its store
//! in `--store` (default: a fresh SQLite file in the temp dir, printed at
//! start). `proxy` runs the signing proxy alone (routes at `/`), reading
//! amounts from the merchant's order endpoint `GET {URL}/{out_trade_no}` and
//! keeping its state in the config's `[store]`; put TLS and a load balancer
//! in front of it.

use paybridge_proxy::orders::OrderSource;
use paybridge_proxy::store::{Store, StoreConfig};
use paybridge_proxy::{demo, proxy};
use std::net::SocketAddr;
use std::path::PathBuf;

/// mimalloc instead of glibc's malloc: a proxied call allocates on one
/// worker thread and frees on another (request, upstream reply, answer),
/// which glibc's per-arena locking and consolidation make costly
/// (BENCHMARKS.md, "Proxy overhead").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const USAGE: &str = "usage: paybridge-proxy demo [--port N] [--root DIR] [--store URL]\n       paybridge-proxy proxy --config FILE --orders URL [--port N]";

/// A parsed command line.
#[derive(Debug, PartialEq)]
enum Command {
    Demo { port: u16, root: PathBuf, store: Option<String> },
    Proxy { port: u16, config: PathBuf, orders: String },
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Command, String> {
    let sub = args.next().unwrap_or_default();
    if sub != "demo" && sub != "proxy" {
        return Err(USAGE.to_owned());
    }
    let (mut port, mut root, mut config, mut orders, mut store) = (8080u16, PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/..")), None, None, None);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        match flag.as_str() {
            "--port" => port = value.parse().map_err(|_| format!("bad port \"{value}\""))?,
            "--root" if sub == "demo" => root = PathBuf::from(value),
            "--store" if sub == "demo" => store = Some(value),
            "--config" if sub == "proxy" => config = Some(PathBuf::from(value)),
            "--orders" if sub == "proxy" => orders = Some(value),
            _ => return Err(format!("unknown option {flag}\n{USAGE}")),
        }
    }
    if sub == "demo" {
        return Ok(Command::Demo { port, root, store });
    }
    match (config, orders) {
        (Some(config), Some(orders)) => Ok(Command::Proxy { port, config, orders }),
        _ => Err(format!("proxy needs --config and --orders\n{USAGE}")),
    }
}

fn fail(msg: impl std::fmt::Display, code: i32) -> ! {
    eprintln!("{msg}");
    std::process::exit(code)
}

/// Logs go to stderr as JSON lines (one object per event, fields flattened);
/// `PAYBRIDGE_LOG` filters them (`info` by default, e.g. `warn` or
/// `paybridge_proxy=debug`). Log calls pass identifiers only: never a body,
/// signature, secret or token.
fn init_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("PAYBRIDGE_LOG").unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt().json().flatten_event(true).with_current_span(false).with_span_list(false).with_env_filter(filter).with_writer(std::io::stderr).init();
}

async fn open_store(url: &str) -> Store {
    Store::open(url).await.unwrap_or_else(|e| fail(format!("store: {e}"), 1))
}

#[tokio::main]
async fn main() {
    init_logs();
    let command = parse_args(std::env::args().skip(1)).unwrap_or_else(|msg| fail(msg, 2));
    let port = match &command {
        Command::Demo { port, .. } | Command::Proxy { port, .. } => *port,
    };
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let listener = tokio::net::TcpListener::bind(addr).await.unwrap_or_else(|e| fail(format!("cannot listen on {addr}: {e}"), 1));
    let local = listener.local_addr().unwrap_or(addr);
    let app = match command {
        Command::Demo { root, store, .. } => {
            let (url, temp) = match store {
                Some(url) => (url, None),
                None => {
                    let path = StoreConfig::fresh_temp_path("demo");
                    (StoreConfig::sqlite(&path).url, Some(path))
                }
            };
            let store = open_store(&url).await;
            if let Some(path) = temp {
                tokio::spawn(remove_on_stop(path));
            }
            println!("paybridge demo: http://{local}/ (store: {})", StoreConfig { url }.redacted());
            demo::app(&root, &format!("http://{local}"), store)
        }
        Command::Proxy { config, orders, .. } => {
            let config = proxy::ProxyConfig::load(&config).unwrap_or_else(|e| fail(format!("config: {e}"), 2));
            let store = open_store(&config.store.url).await;
            let security = &config.security;
            let source = OrderSource::http(orders, security.order_source_connect_timeout, security.order_source_timeout);
            println!("paybridge proxy: http://{local}/ (store: {})", config.store.redacted());
            proxy::router(proxy::ProxyState::new(config, source, store))
        }
    };
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let service = app.into_make_service_with_connect_info::<SocketAddr>();
    // Without TCP_NODELAY a keep-alive connection's later responses wait
    // ~40 ms on Nagle + delayed ACK (measured on the pkg/ files, BENCHMARKS.md Start-up).
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        let _ = tcp.set_nodelay(true);
    });
    if let Err(e) = axum::serve(listener, service).with_graceful_shutdown(shutdown).await {
        fail(format!("server error: {e}"), 1);
    }
}

/// The demo's own temp store: removed (with its `-wal` and `-shm` files) when
/// SIGINT or SIGTERM stops the demo, which then exits at once — every test
/// run starts a demo and stops it with SIGTERM, and each left a file in the
/// temp dir before.
async fn remove_on_stop(path: PathBuf) {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    let terminated = async {
        match term.as_mut() {
            Some(t) => drop(t.recv().await),
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminated => {}
    }
    for suffix in ["", "-wal", "-shm"] {
        let mut file = path.clone().into_os_string();
        file.push(suffix);
        let _ = std::fs::remove_file(file);
    }
    std::process::exit(0);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Result<Command, String> {
        parse_args(list.iter().map(|s| s.to_string()))
    }

    #[test]
    fn parses_both_subcommands() {
        assert_eq!(args(&["demo", "--port", "9000", "--root", "/x"]).unwrap(), Command::Demo { port: 9000, root: PathBuf::from("/x"), store: None });
        assert!(matches!(args(&["demo", "--store", "sqlite:///d.db"]).unwrap(), Command::Demo { store: Some(s), .. } if s == "sqlite:///d.db"));
        assert!(args(&["proxy", "--store", "x"]).is_err());
        assert!(matches!(args(&["demo"]).unwrap(), Command::Demo { port: 8080, .. }));
        assert_eq!(
            args(&["proxy", "--config", "p.toml", "--orders", "https://m.example/orders"]).unwrap(),
            Command::Proxy { port: 8080, config: PathBuf::from("p.toml"), orders: "https://m.example/orders".into() }
        );
        assert!(args(&[]).is_err());
        assert!(args(&["demo", "--port"]).is_err());
        assert!(args(&["demo", "--port", "x"]).is_err());
        assert!(args(&["demo", "--config", "x"]).is_err());
        assert!(args(&["proxy", "--config", "x"]).is_err());
    }
}
