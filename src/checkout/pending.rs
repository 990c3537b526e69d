//! The pending-order reference kept in sessionStorage while the payer is
//! away (H5 / WAP / hosted cashier redirect, mini-program native page) so
//! that `resume()` can poll after a return, a reload or a bfcache restore.
//! It holds only what a status query needs — no amount, no payer data; the
//! order's client secret is kept there too (sessionStorage is this origin's
//! and this tab's alone). The driver keeps it under its own key, `paybridge.pending`.

use crate::json::{Obj, Value};
use crate::model::{Channel, Gateway, Mode};

/// A payment that left the page and may come back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Pending {
    /// The gateway it was created on.
    pub gateway: Gateway,
    /// The merchant's order number.
    pub out_trade_no: String,
    /// The mode it was created in.
    pub mode: Mode,
    /// The wallet.
    pub channel: Channel,
    /// The gateway's own order id, when the create answer gave one.
    pub gateway_order_id: Option<String>,
    /// When to stop waiting (Unix ms).
    pub deadline_ms: i64,
    /// The order's client secret, for the queries after the return.
    pub client_secret: Option<String>,
}

impl Pending {
    /// The stored JSON text ([`encode`]'s).
    #[cfg(test)]
    pub(crate) fn encode(&self) -> String {
        encode(self.gateway, &self.out_trade_no, self.mode, self.channel, self.gateway_order_id.as_deref(), self.deadline_ms, self.client_secret.as_deref())
    }

    /// Reads stored text ([`Pending::read`] of its JSON).
    #[cfg(test)]
    pub(crate) fn decode(text: &str) -> Option<Pending> {
        Pending::read(&crate::json::parse(text).ok()?)
    }

    /// Reads the stored text's JSON (parsed once for this and the gateway's
    /// step); anything malformed or tampered with (unknown names, an order
    /// number that is not 1–64 letters, digits, `-` or `_`) is `None`, so a
    /// bad entry is dropped rather than queried.
    pub(crate) fn read(v: &Value) -> Option<Pending> {
        // The order number as requests check it (1–64 letters, digits, `-`, `_`).
        let out_trade_no = crate::gateway::check_id("order number", v.text("outTradeNo")?, 1, 64, b"-_").ok()?.to_owned();
        Some(Pending {
            client_secret: printable(v, "clientSecret", 256)?,
            gateway: Gateway::parse(v.text("gateway")?)?,
            out_trade_no,
            mode: Mode::parse(v.text("mode")?)?,
            channel: Channel::parse(v.text("channel")?)?,
            gateway_order_id: printable(v, "gatewayOrderId", 128)?,
            deadline_ms: v.int("deadline")?,
        })
    }
}

/// The stored JSON text of a payment that leaves the page (the fields of
/// [`Pending`], borrowed: the flow writes its own without copying them).
pub(crate) fn encode(gateway: Gateway, out_trade_no: &str, mode: Mode, channel: Channel, gateway_order_id: Option<&str>, deadline_ms: i64, client_secret: Option<&str>) -> String {
    let mut o = Obj::new();
    o.text("gateway", gateway.as_str()).text("outTradeNo", out_trade_no).text("mode", mode.as_str()).text("channel", channel.as_str()).num("deadline", deadline_ms);
    if let Some(id) = gateway_order_id {
        o.text("gatewayOrderId", id);
    }
    if let Some(secret) = client_secret {
        o.text("clientSecret", secret);
    }
    o.end()
}

/// Member `key` of `v`: `Some(None)` when absent, `Some(Some(text))` for
/// printable ASCII of at most `max` bytes, `None` (malformed) otherwise.
pub(crate) fn printable(v: &Value, key: &str, max: usize) -> Option<Option<String>> {
    match v.get(key) {
        None => Some(None),
        Some(t) => Some(Some(t.as_text().filter(|s| s.len() <= max && s.bytes().all(|b| b.is_ascii_graphic()))?.to_owned())),
    }
}
