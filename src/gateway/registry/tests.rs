//! Drift checks: the places that name every gateway but cannot be generated
//! from the registry must list exactly its gateways, in its order.

use crate::model::Gateway;

/// One registry line, as the checks need it.
struct Line {
    variant: &'static str,
    wire: &'static str,
    feature: &'static str,
}

macro_rules! lines {
    ([] $($variant:ident ($wire:literal, $feature:literal, $module:ident) [$($name:literal),*] hosts [$($host:literal),*],)*) => {
        [$(Line { variant: stringify!($variant), wire: $wire, feature: $feature }),*]
    };
}

fn registry() -> Vec<Line> {
    super::with_gateways!(lines).into()
}

/// A file of the repository, by its path from the root.
fn repo_file(path: &str) -> String {
    let full = format!("{}/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("cannot read {full}: {e}"))
}

/// The text between `start` and the next `end` after it, in the file at `path`.
fn between(path: &str, start: &str, end: &str) -> String {
    cut(&repo_file(path), start, end).unwrap_or_else(|| panic!("{path}: nothing between {start:?} and {end:?}"))
}

/// The text between `start` and the next `end` after it.
fn cut(text: &str, start: &str, end: &str) -> Option<String> {
    let from = text.find(start)? + start.len();
    Some(text[from..from + text[from..].find(end)?].to_owned())
}

fn wire_names() -> Vec<&'static str> {
    registry().iter().map(|l| l.wire).collect()
}

#[test]
fn the_generated_enum_follows_the_registry() {
    let names: Vec<&str> = Gateway::ALL.iter().map(|g| g.as_str()).collect();
    assert_eq!(names, wire_names());
    for g in Gateway::ALL {
        assert_eq!(Gateway::parse(g.as_str()), Some(g));
        assert!(crate::gateway::protocol(g).is_ok_and(|p| p.gateway() == g), "{} dispatches to its own module", g.as_str());
    }
    assert_eq!(Gateway::parse("paypal"), None);
    let variants: Vec<String> = Gateway::ALL.iter().map(|g| format!("{g:?}")).collect();
    assert_eq!(variants, registry().iter().map(|l| l.variant).collect::<Vec<_>>());
}

#[test]
fn the_typescript_union_lists_the_registry() {
    let union = between("src/web/mod.rs", "export type Gateway = ", ";");
    let quoted: Vec<String> = wire_names().iter().map(|n| format!("\"{n}\"")).collect();
    assert_eq!(union, quoted.join(" | "), "src/web/mod.rs: the Gateway type");
}

#[test]
fn the_openapi_gateway_schema_lists_the_registry() {
    let schemas = between("docs/openapi.yaml", "\n  schemas:", "\n    ProxyError:");
    let listed = cut(&schemas, "Gateway:\n      type: string\n      enum: [", "]").expect("docs/openapi.yaml: components.schemas.Gateway");
    assert_eq!(listed, wire_names().join(", "), "docs/openapi.yaml: components.schemas.Gateway");
}

#[test]
fn each_gateway_is_a_default_cargo_feature() {
    let features = between("Cargo.toml", "[features]", "\n[");
    let default = between("Cargo.toml", "\ndefault = [", "]");
    for line in registry() {
        assert!(features.lines().any(|l| l.trim() == format!("{} = []", line.feature)), "Cargo.toml: no feature {}", line.feature);
        assert!(default.contains(&format!("\"{}\"", line.feature)), "Cargo.toml: {} is not a default feature", line.feature);
    }
}

/// What `scripts/gateways` prints with `args`, one name a line.
fn scripts_gateways(args: &[&str]) -> Vec<String> {
    let script = format!("{}/scripts/gateways", env!("CARGO_MANIFEST_DIR"));
    let out = std::process::Command::new("bash").arg(&script).args(args).output().unwrap_or_else(|e| panic!("cannot run {script}: {e}"));
    assert!(out.status.success(), "{script} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("UTF-8").lines().map(str::to_owned).collect()
}

/// The scripts (`scripts/test`, `scripts/size-features`) and the fuzz seeds
/// (`fuzz/make-seeds`) loop over what `scripts/gateways` reads from the registry.
#[test]
fn the_scripts_read_every_registry_line() {
    assert_eq!(scripts_gateways(&[]), wire_names(), "scripts/gateways: the wire names, in Gateway::ALL's order");
    assert_eq!(scripts_gateways(&["--features"]), registry().iter().map(|l| l.feature).collect::<Vec<_>>(), "scripts/gateways --features");
}
