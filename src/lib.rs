#![warn(missing_docs)]
#![warn(unreachable_pub)]
//! paybridge: a payment client for merchant H5 pages, compiled to WebAssembly.
//!
//! The crate is a pure core plus one thin web facade:
//! - [`json`]: a small lenient JSON reader (numbers kept as text, bounded depth);
//! - [`model`]: the normalised [`model::NextAction`] and [`model::OrderStatus`];
//! - [`gateway`]: one module per gateway behind [`gateway::GatewayProtocol`];
//! - [`qr`]: QR matrices, SVG output and the canvas layout arithmetic;
//! - [`url_guard`]: the redirect allowlist;
//! - `cashier` / `counter` (features `cashier-desk`, `counter-screen`): the
//!   built-in cashier desk and the shop-counter screen;
//! - [`env`]: where the page runs (WeChat, mini-program, Alipay…) and which modes fit;
//! - [`poll`]: the status-polling schedule as pure logic with injected time;
//! - [`error`] and [`i18n`]: typed errors with zh-CN / zh-HK / en messages;
//! - `sign` (feature `signing`, native only): request signing for the proxy;
//! - `web` (wasm32 only): the `#[wasm_bindgen]` facade.

// First, so its `detail!` macro is in scope in every module below.
#[macro_use]
pub mod error;

#[cfg(any(feature = "cashier-desk", feature = "counter-screen"))]
// The wasm facade is its user; the counter screen alone uses only its amounts.
#[cfg_attr(any(not(target_arch = "wasm32"), not(feature = "cashier-desk")), allow(dead_code))]
pub(crate) mod cashier;
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))] // the wasm facade is its user
pub(crate) mod checkout;
#[cfg(feature = "counter-screen")]
pub mod counter; // public for the fuzz targets (payer codes, the keyboard-wedge scanner)
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))] // the wasm facade is its user
pub(crate) mod env;
pub mod gateway;
pub mod i18n;
pub mod json;
pub mod model;
pub mod poll;
pub mod qr;
#[cfg(feature = "signing")]
pub mod sign;
mod text;
pub mod url_guard;
#[cfg(target_arch = "wasm32")]
#[allow(unreachable_pub)] // wasm-bindgen exports must be `pub`, and are reached from JS
mod web;

// The browser build's allocator: talc instead of std's dlmalloc, about 7 KB
// raw / 2-4 KB gzip smaller (BENCHMARKS.md, Size). It coalesces freed blocks,
// so a checkout page that polls for minutes stays at a flat heap.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
