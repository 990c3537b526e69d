//! The names every gateway module's `mod.rs` uses, imported at once with
//! `use super::prelude::*;`, so that each gateway states only what is its own.

pub(super) use super::common::{self, add, check_id, optional, texts};
pub(super) use super::{
    check_refund, single_refund, truncate_utf8, unsupported_mode, CreateParams, Created, Encoding, Endpoint, GatewayProtocol, GatewayRequest, HttpMethod, Operation, OrderRef,
    ProxyRules, RefundQuery,
};
pub(super) use crate::error::{ErrorCode, PayError};
pub(super) use crate::json::{Obj, Value};
pub(super) use crate::model::{Channel, Gateway, Mode, NextAction, OrderStatus, PayState, RefundState, RefundStatus};
pub(super) use crate::url_guard::UrlPolicy;
