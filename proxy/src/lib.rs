//! paybridge-proxy: the reference signing proxy (`proxy`), the sandbox
//! gateways (`sandbox`), the demo merchant back end (`shop`) and the demo
//! server that puts them on one port (`demo`), and the store the proxy
//! keeps what must survive in (`store`).

mod calendar;
pub mod demo;
pub mod orders;
pub mod proxy;
pub mod sandbox;
pub mod shop;
pub mod store;
