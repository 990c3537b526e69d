//! The payer's IP as the gateway should see it: the TCP peer, or the
//! address a trusted reverse proxy wrote into `X-Forwarded-For`.

use super::config::{ClientIpSource, ProxyConfig};
use axum::extract::{ConnectInfo, Request};
use std::net::{IpAddr, SocketAddr};

/// Used when the server was started without connection info and no trusted
/// header names the client.
const UNKNOWN_IP: &str = "127.0.0.1";

/// The client IP of `request` under `config.client_ip`. The peer address
/// needs the server to be run with
/// `into_make_service_with_connect_info::<SocketAddr>()`.
pub fn client_ip(config: &ProxyConfig, request: &Request) -> String {
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let forwarded = match config.client_ip {
        ClientIpSource::Peer => None,
        ClientIpSource::ForwardedFor { hops } => forwarded_for(request.headers().get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()), hops),
    };
    forwarded.or(peer).map_or_else(|| UNKNOWN_IP.to_owned(), |ip| ip.to_canonical().to_string())
}

/// The `hops`-th address from the right of the joined header values, if it
/// is an IP address.
fn forwarded_for<'a>(values: impl Iterator<Item = &'a str>, hops: usize) -> Option<IpAddr> {
    let entries: Vec<&str> = values.flat_map(|v| v.split(',')).map(str::trim).filter(|s| !s.is_empty()).collect();
    let index = entries.len().checked_sub(hops)?;
    entries.get(index)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_the_trusted_hop() {
        let h = ["203.0.113.9, 10.0.0.2", "10.0.0.3"];
        assert_eq!(forwarded_for(h.iter().copied(), 1), "10.0.0.3".parse().ok());
        assert_eq!(forwarded_for(h.iter().copied(), 3), "203.0.113.9".parse().ok());
        assert_eq!(forwarded_for(h.iter().copied(), 4), None);
        assert_eq!(forwarded_for(["evil"].iter().copied(), 1), None);
    }
}
