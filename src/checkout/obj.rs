//! JSON object text written member by member, for what the flow hands the
//! page: no `Value` tree is built only to be serialised.

use crate::json::Value;
use crate::model::{AppProvider, NextAction, OrderStatus, WechatJsapiParams};

/// An object being written (`{"key":value,…}`); [`Obj::end`] closes it.
pub(crate) struct Obj(String);

impl Obj {
    /// An empty object.
    pub(crate) fn new() -> Obj {
        Obj(String::from("{"))
    }

    /// A member whose value is JSON text already.
    #[inline(never)]
    pub(crate) fn raw(&mut self, key: &str, json: &str) -> &mut Obj {
        if self.0.len() > 1 {
            self.0.push(',');
        }
        self.0.push('"');
        self.0.push_str(key);
        self.0.push_str("\":");
        self.0.push_str(json);
        self
    }

    /// A string member, escaped.
    #[inline(never)]
    pub(crate) fn text(&mut self, key: &str, s: &str) -> &mut Obj {
        self.raw(key, &Value::str(s).to_json())
    }

    /// An integer member.
    #[inline(never)]
    pub(crate) fn num(&mut self, key: &str, n: i64) -> &mut Obj {
        self.raw(key, &crate::text::decimal(n))
    }

    /// A member holding `value`.
    #[inline(never)]
    pub(crate) fn value(&mut self, key: &str, value: &Value) -> &mut Obj {
        self.raw(key, &value.to_json())
    }

    /// A boolean member.
    pub(crate) fn flag(&mut self, key: &str, b: bool) -> &mut Obj {
        self.raw(key, if b { "true" } else { "false" })
    }

    /// A member holding the object `inner`.
    pub(crate) fn obj(&mut self, key: &str, inner: Obj) -> &mut Obj {
        self.raw(key, &inner.end())
    }

    /// The object's text.
    pub(crate) fn end(mut self) -> String {
        self.0.push('}');
        self.0
    }

    /// `{kind, url}`: an action naming where the payer goes.
    pub(crate) fn kind_url(kind: &str, url: &str) -> Obj {
        let mut o = Obj::new();
        o.text("kind", kind).text("url", url);
        o
    }

    /// An [`OrderStatus`]'s members as the JS API's `OrderStatus`.
    pub(crate) fn status(&mut self, s: &OrderStatus) -> &mut Obj {
        self.text("state", s.state.as_str()).text("gatewayState", &s.gateway_state);
        if let Some(a) = s.amount {
            self.num("amount", a);
        }
        if let Some(t) = &s.transaction_id {
            self.text("transactionId", t);
        }
        self
    }

    /// A [`NextAction`] as the JS API's `NextAction`.
    pub(crate) fn action(a: &NextAction) -> Obj {
        let mut o = Obj::new();
        match a {
            NextAction::Qr { content, expires_at } => {
                o.text("kind", "qr").text("content", content);
                if let Some(t) = expires_at {
                    o.num("expiresAt", *t);
                }
            }
            NextAction::Redirect { url } => o = Obj::kind_url("redirect", url),
            NextAction::Iframe { url } => o = Obj::kind_url("iframe", url),
            NextAction::WechatJsapi { params } => {
                o.text("kind", "wechatJsapi").obj("params", Obj::jsapi(params, false));
            }
            NextAction::AlipayTradePay { trade_no } => {
                o.text("kind", "alipayTradePay").text("tradeNo", trade_no);
            }
            NextAction::App { provider, payload } => {
                let provider = match provider {
                    AppProvider::Wechat => "wechat",
                    AppProvider::Alipay => "alipay",
                };
                o.text("kind", "app").text("provider", provider).value("payload", payload);
            }
            NextAction::Await => {
                o.text("kind", "await");
            }
            NextAction::Done { status } => {
                let mut s = Obj::new();
                s.status(status);
                o.text("kind", "done").obj("status", s);
            }
        }
        o
    }

    /// WeChat's JSAPI pay params; for the JS-SDK's `chooseWXPay` (`sdk`)
    /// with `timestamp` lower-cased and no `appId`.
    pub(crate) fn jsapi(p: &WechatJsapiParams, sdk: bool) -> Obj {
        let mut o = Obj::new();
        if !sdk {
            o.text("appId", &p.app_id);
        }
        o.text(if sdk { "timestamp" } else { "timeStamp" }, &p.time_stamp).text("nonceStr", &p.nonce_str).text("package", &p.package);
        o.text("signType", &p.sign_type).text("paySign", &p.pay_sign);
        o
    }
}

#[cfg(test)]
mod tests {
    use super::Obj;
    use crate::json::{parse, Value};

    #[test]
    fn writes_members_in_order_and_escapes_text() {
        let mut o = Obj::new();
        o.text("a", "say \"hi\"\n").num("n", -12).value("v", &Value::Array(vec![Value::Null])).raw("r", "true");
        let text = o.end();
        assert_eq!(text, r#"{"a":"say \"hi\"\n","n":-12,"v":[null],"r":true}"#);
        assert_eq!(parse(&text).unwrap().text("a"), Some("say \"hi\"\n"));
        assert_eq!(Obj::new().end(), "{}");
    }
}
