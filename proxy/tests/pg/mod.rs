//! A throwaway PostgreSQL cluster for tests: Debian's `postgresql` binaries
//! (`scripts/setup` installs them), `initdb` into a fresh temp dir (as the
//! `postgres` user when the tests run as root), started on a free
//! 127.0.0.1 port with its socket in that dir, stopped and removed on drop —
//! also when the test panics.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};

/// A running cluster; `postgres` is its trusted superuser.
pub struct Cluster {
    dir: PathBuf,
    bin: PathBuf,
    port: u16,
    /// Run the server's tools as `postgres` (the tests run as root).
    as_postgres: bool,
}

impl Cluster {
    /// Initialises and starts a cluster (panics with the tools' output if it cannot).
    pub fn start() -> Cluster {
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!("paybridge-pg-{}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed)));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir for PostgreSQL");
        let as_postgres = is_root();
        if as_postgres {
            let status = Command::new("chown").arg("postgres:postgres").arg(&dir).status().expect("chown");
            assert!(status.success(), "chown postgres {}", dir.display());
        }
        // Dropped from here on: stops what started and removes the dir.
        let mut cluster = Cluster { dir, bin: bin_dir(), port: 0, as_postgres };
        let data = cluster.dir.join("data");
        let data_arg = data.to_str().expect("utf-8 temp dir").to_owned();
        cluster.run("initdb", &["-D", &data_arg, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync", "--no-instructions"]);
        for attempt in 0..3 {
            cluster.port = free_port();
            let options = format!("-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200", cluster.port, cluster.dir.display());
            let log = cluster.dir.join("server.log");
            let output = cluster.try_run("pg_ctl", &["-D", &data_arg, "-l", log.to_str().unwrap_or_default(), "-o", &options, "-t", "60", "-w", "start"]);
            if output.status.success() {
                return cluster;
            }
            let server_log = std::fs::read_to_string(&log).unwrap_or_default();
            assert!(attempt < 2, "pg_ctl start failed: {}{}\n{server_log}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
        }
        unreachable!()
    }

    /// Creates database `name` and returns its URL.
    pub fn database(&self, name: &str) -> String {
        let port = self.port.to_string();
        self.run("createdb", &["-h", "127.0.0.1", "-p", &port, "-U", "postgres", name]);
        self.url(name)
    }

    /// `postgres://postgres@127.0.0.1:{port}/{name}`.
    pub fn url(&self, name: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }

    fn run(&self, tool: &str, args: &[&str]) {
        let output = self.try_run(tool, args);
        assert!(output.status.success(), "{tool} failed: {}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    }

    fn try_run(&self, tool: &str, args: &[&str]) -> Output {
        let program = self.bin.join(tool);
        let mut command = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&program);
            c
        } else {
            Command::new(&program)
        };
        command.args(args).current_dir(&self.dir).output().unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display()))
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.dir.join("data");
        if data.join("postmaster.pid").exists() {
            let _ = self.try_run("pg_ctl", &["-D", data.to_str().unwrap_or_default(), "-m", "fast", "-w", "stop"]);
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0").unwrap_or(false)
}

/// The directory of the server tools: where `initdb` on PATH really is
/// (links resolved), else the newest `/usr/lib/postgresql/*/bin`.
fn bin_dir() -> PathBuf {
    let on_path = std::env::var_os("PATH").and_then(|paths| std::env::split_paths(&paths).map(|p| p.join("initdb")).find(|p| p.is_file()));
    if let Some(dir) = on_path.and_then(|initdb| std::fs::canonicalize(initdb).ok()).and_then(|real| real.parent().map(Path::to_owned)) {
        if dir.join("pg_ctl").is_file() && dir.join("createdb").is_file() {
            return dir;
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| Some((e.file_name().to_str()?.parse().ok()?, e.path().join("bin"))))
        .filter(|(_, bin): &(u32, PathBuf)| Path::new(bin).join("initdb").is_file())
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin).expect("PostgreSQL is not installed (scripts/setup installs Debian's postgresql)")
}

/// A port nobody listens on right now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}
