//! WeChat HK-wallet official-account payment (seed 001 L814–L864,
//! "香港钱包公众号支付"): the page loads WeChat's JS-SDK, runs `wx.config`
//! with `beta: true` and `jsApiList: ["getH5PrepayRequest"]` (L826–L834),
//! then inside `wx.ready` calls `wx.invoke('getH5PrepayRequest', payConfig,
//! cb)` (L842–L861), where `payConfig` is "data returned by the BOPAY server"
//! (L844): `data.jsapi` of a `wechat.jsapi` answer, passed on verbatim.
//!
//! Two signatures, both made on servers, neither by the page:
//! - `wx.config`'s `signature` (L832 links WeChat's JS-SDK signing page): the
//!   merchant's, SHA-1 of `jsapi_ticket=…&noncestr=…&timestamp=…&url=…` with
//!   the official account's `jsapi_ticket` — made by the proxy
//!   (`js_sdk_signature`), the ticket fetched with the account's AppSecret
//!   (`token_url`, `ticket_url`, `parse_wechat_answer`).
//! - `payConfig.paySign` (`signType` "SHA1", L850–L851): BlueOcean's / WeChat
//!   HK's. The seed points at a "5.2签名算法_JSAPI" it does not contain; the
//!   sandbox signs with WeChat's SHA-1 JSAPI scheme (`sha1_pay_sign`:
//!   sorted `appid`, `appkey`, `noncestr`, `package`, `timestamp`), which a
//!   client never checks and never refuses.
//!
//! The create request is `wechat.jsapi` with `wallet: "HK"` (the seed's
//! jsapi example sends `wallet`, L650) and `h5_redirect_url`, "微信香港钱包
//! 公众号支付跳转url" (L238).

/// The `wallet` value that asks for the HK wallet (L239, L650).
pub const HK: &str = "HK";

#[cfg(feature = "signing")]
pub use signing::*;

#[cfg(feature = "signing")]
mod signing {
    use crate::error::PayError;
    use crate::json::Value;
    use crate::sign::sha1_hex;

    /// The JS-SDK interface HK-wallet payments call (L833, L853).
    const JS_API: &str = "getH5PrepayRequest";

    /// The text WeChat's JS-SDK signature hashes: the four fields in this
    /// order (their names sorted), the page URL without its `#` fragment.
    pub fn js_sdk_string(jsapi_ticket: &str, nonce_str: &str, timestamp: i64, url: &str) -> String {
        let url = url.split('#').next().unwrap_or(url);
        format!("jsapi_ticket={jsapi_ticket}&noncestr={nonce_str}&timestamp={timestamp}&url={url}")
    }

    /// `wx.config`'s `signature`: SHA-1 (lowercase hex) of [`js_sdk_string`].
    pub fn js_sdk_signature(jsapi_ticket: &str, nonce_str: &str, timestamp: i64, url: &str) -> String {
        sha1_hex(js_sdk_string(jsapi_ticket, nonce_str, timestamp, url).as_bytes())
    }

    /// The `wx.config` object for an HK-wallet payment (L826–L834), `debug`
    /// off: what the proxy answers and the page passes on as is.
    pub fn js_config(app_id: &str, timestamp: i64, nonce_str: &str, signature: &str) -> Value {
        Value::object([
            ("beta", Value::Bool(true)),
            ("debug", Value::Bool(false)),
            ("appId", Value::str(app_id)),
            ("timestamp", Value::int_value(timestamp)),
            ("nonceStr", Value::str(nonce_str)),
            ("signature", Value::str(signature)),
            ("jsApiList", Value::Array(vec![Value::str(JS_API)])),
        ])
    }

    /// WeChat's SHA-1 JSAPI `paySign` (the scheme of its `signType` "SHA1"):
    /// `appid`, `appkey`, `noncestr`, `package`, `timestamp` as `k=v` sorted
    /// by name, joined with `&`, SHA-1 lowercase hex.
    pub fn sha1_pay_sign(app_id: &str, app_key: &str, nonce_str: &str, package: &str, timestamp: &str) -> String {
        sha1_hex(format!("appid={app_id}&appkey={app_key}&noncestr={nonce_str}&package={package}&timestamp={timestamp}").as_bytes())
    }

    /// WeChat's access-token URL for an official account (`GET`).
    pub fn token_url(api_base: &str, app_id: &str, app_secret: &str) -> String {
        format!("{}/cgi-bin/token?grant_type=client_credential&appid={app_id}&secret={app_secret}", api_base.trim_end_matches('/'))
    }

    /// WeChat's JS-SDK ticket URL for an access token (`GET`).
    pub fn ticket_url(api_base: &str, access_token: &str) -> String {
        format!("{}/cgi-bin/ticket/getticket?access_token={access_token}&type=jsapi", api_base.trim_end_matches('/'))
    }

    /// A WeChat API answer carrying `field` (`access_token` or `ticket`) and
    /// `expires_in` (seconds; 7200 when absent): the value and its life. An
    /// `errcode` other than 0 is a `gateway_error` with WeChat's code.
    pub fn parse_wechat_answer(body: &Value, field: &str) -> Result<(String, i64), PayError> {
        if let Some(code) = body.get("errcode").and_then(Value::as_text).filter(|c| *c != "0") {
            let mut e = PayError::new(crate::error::ErrorCode::GatewayError).with_detail(detail!("WeChat refused the {field} request"));
            e.gateway_code = Some(code.to_owned());
            e.gateway_message = body.text("errmsg").map(str::to_owned);
            return Err(e);
        }
        let value = body.text(field).ok_or_else(|| PayError::invalid_payload(detail!("WeChat answer has no `{field}`")))?;
        Ok((value.to_owned(), body.int("expires_in").filter(|s| *s > 0).unwrap_or(7200)))
    }
}

#[cfg(all(test, feature = "signing"))]
mod tests {
    use super::*;
    use crate::json::parse;

    /// WeChat's own JS-SDK signature example (appendix 1 of the page the seed
    /// links at L832): reproduces.
    #[test]
    fn js_sdk_signature_reproduces_wechats_example() {
        let ticket = "sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg";
        let expected = "0f9de62fce790f9a083d5c99e95740ceb90c27ed";
        assert_eq!(js_sdk_signature(ticket, "Wm3WZYTPz0wzccnW", 1_414_587_457, "http://mp.weixin.qq.com?params=value"), expected);
        assert_eq!(js_sdk_signature(ticket, "Wm3WZYTPz0wzccnW", 1_414_587_457, "http://mp.weixin.qq.com?params=value#pay"), expected, "the fragment is not signed");
        assert_ne!(js_sdk_signature(ticket, "Wm3WZYTPz0wzccnW", 1_414_587_458, "http://mp.weixin.qq.com?params=value"), expected);
    }

    /// The seed's `wx.config` (L826–L834): beta, the one interface, and the
    /// four required fields; `debug` off outside development.
    #[test]
    fn js_config_has_the_seeds_fields() {
        let c = js_config("wx0sandbox0app", 1_414_587_457, "n0nce", "abc");
        assert_eq!(
            c.to_json(),
            r#"{"beta":true,"debug":false,"appId":"wx0sandbox0app","timestamp":1414587457,"nonceStr":"n0nce","signature":"abc","jsApiList":["getH5PrepayRequest"]}"#
        );
    }

    #[test]
    fn sha1_pay_sign_sorts_the_five_fields() {
        let text = "appid=wx1&appkey=k&noncestr=n&package=prepay_id=p&timestamp=1";
        assert_eq!(sha1_pay_sign("wx1", "k", "n", "prepay_id=p", "1"), crate::sign::sha1_hex(text.as_bytes()));
    }

    #[test]
    fn wechat_token_and_ticket_answers() {
        assert_eq!(token_url("https://api.weixin.qq.com/", "wx1", "s"), "https://api.weixin.qq.com/cgi-bin/token?grant_type=client_credential&appid=wx1&secret=s");
        assert_eq!(ticket_url("https://api.weixin.qq.com", "T"), "https://api.weixin.qq.com/cgi-bin/ticket/getticket?access_token=T&type=jsapi");
        let token = parse(r#"{"access_token":"ACCESS_TOKEN","expires_in":7200}"#).unwrap();
        assert_eq!(parse_wechat_answer(&token, "access_token").unwrap(), ("ACCESS_TOKEN".to_owned(), 7200));
        let ticket = parse(r#"{"errcode":0,"errmsg":"ok","ticket":"bxLdikRX","expires_in":"7200"}"#).unwrap();
        assert_eq!(parse_wechat_answer(&ticket, "ticket").unwrap(), ("bxLdikRX".to_owned(), 7200));
        let refused = parse(r#"{"errcode":40125,"errmsg":"invalid appsecret"}"#).unwrap();
        let e = parse_wechat_answer(&refused, "access_token").unwrap_err();
        assert_eq!((e.gateway_code.as_deref(), e.gateway_message.as_deref()), (Some("40125"), Some("invalid appsecret")));
        assert!(parse_wechat_answer(&parse(r#"{"errcode":0}"#).unwrap(), "ticket").is_err());
    }
}
