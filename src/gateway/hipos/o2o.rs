//! The requests only the proxy or the back office make (token, device
//! code, trades), and the checks and constructor the builders share.

use super::{DEVICE_AUTHCODE_PATH, TOKEN_PATH, TRADES_DETAIL_PATH, TRADES_OVERVIEW_PATH};
use crate::error::PayError;
use crate::gateway::{common, GatewayRequest, HttpMethod, Operation, Params};
use crate::json::{Obj, Value};
use crate::model::Gateway;

/// Checks a value that goes into a path segment or the order reference.
pub(super) fn check_id<'a>(name: &str, value: &'a str) -> Result<&'a str, PayError> {
    common::check_id(name, value, 1, 64, b"-_")
}

pub(super) fn request(operation: Operation, http: HttpMethod, path: String, params: Obj) -> GatewayRequest {
    common::request(Gateway::HiPos, operation, http, path, params)
}

/// The proxy's token request (seed 000 L33-L44); the wire encoder adds the
/// `hostname` from the proxy's secrets.
pub fn token_request(notify_url: &str) -> GatewayRequest {
    request(Operation::Token, HttpMethod::Post, TOKEN_PATH.to_owned(), common::texts(&[("notify_url", notify_url)]))
}

/// `GET …/stores/{storeId}/authcode` (seed 000 L119-L120) for the back
/// office's "add POS" page.
pub fn device_authcode_request(merchant_id: &str, store_id: &str) -> Result<GatewayRequest, PayError> {
    let path = DEVICE_AUTHCODE_PATH.replace("{merchantId}", check_id("merchant_id", merchant_id)?).replace("{storeId}", check_id("store_id", store_id)?);
    Ok(request(Operation::Read, HttpMethod::Get, path, Obj::new()))
}

/// Which trade report to read (seed 000 L122-L126).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TradeReport {
    /// `…/trades/overview`: counts and totals per store and POS.
    Overview,
    /// `…/trades/detail`: one entry per trade.
    Detail,
}

/// A trade report request; `filters` (e.g. `start_date`, `end_date`,
/// `skip`, `limit`) go into the query string.
pub fn trades_request(report: TradeReport, merchant_id: &str, store_id: &str, filters: Value) -> Result<GatewayRequest, PayError> {
    let pattern = match report {
        TradeReport::Overview => TRADES_OVERVIEW_PATH,
        TradeReport::Detail => TRADES_DETAIL_PATH,
    };
    let path = pattern.replace("{merchantId}", check_id("merchant_id", merchant_id)?).replace("{storeId}", check_id("store_id", store_id)?);
    let params = match filters {
        Value::Object(_) => Params::of(&filters),
        Value::Null => Params::of(&Value::Object(Vec::new())),
        _ => return Err(PayError::invalid_argument("trade filters must be an object")),
    };
    Ok(GatewayRequest { gateway: Gateway::HiPos, operation: Operation::Read, http: HttpMethod::Get, path, params })
}
