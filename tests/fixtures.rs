//! Runs every case in `fixtures/*/cases.json` (see `fixtures/README.md`)
//! through the gateway parsers and compares the JS-shaped result.

#![cfg(not(target_arch = "wasm32"))]

use paybridge::gateway::{parse_body, refunds, CreateParams, RefundQuery};
use paybridge::model::{Channel, Gateway, Mode, ToJson};
use paybridge::url_guard::UrlPolicy;
use serde_json::Value as J;
use std::path::Path;

fn fixtures_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures"))
}

/// Whether `actual` contains everything in `expected`.
fn subset(expected: &J, actual: &J) -> bool {
    match (expected, actual) {
        (J::Object(e), J::Object(a)) => e.iter().all(|(k, ev)| a.get(k).is_some_and(|av| subset(ev, av))),
        (J::Array(e), J::Array(a)) => e.len() == a.len() && e.iter().zip(a).all(|(x, y)| subset(x, y)),
        _ => expected == actual,
    }
}

fn params_of(case: &J) -> CreateParams {
    let s = |k: &str| case.get(k).and_then(J::as_str).unwrap_or_default();
    let mode = Mode::parse(s("mode")).unwrap_or(Mode::Qr);
    let channel = Channel::parse(s("channel")).unwrap_or(Channel::Any);
    let mut p = CreateParams::new(mode, channel, "FIXTURE0001");
    if let Some(x) = case.get("params") {
        let t = |k: &str| x.get(k).and_then(J::as_str).map(str::to_owned);
        p.openid = t("openid");
        p.sub_appid = t("subAppid");
        p.auth_code = t("authCode");
        p.return_url = t("returnUrl");
        p.subject = t("subject");
        p.mini_program = x.get("miniProgram").and_then(J::as_bool).unwrap_or(false);
        if let Some(n) = t("outTradeNo") {
            p.out_trade_no = n;
        }
    }
    p
}

fn run_case(proto: &dyn RefundQuery, case: &J) -> Result<J, J> {
    let body_text = match (case.get("body").and_then(J::as_str), case.get("bodyText").and_then(J::as_str)) {
        (Some(file), _) => std::fs::read_to_string(fixtures_dir().join(file)).unwrap_or_else(|e| panic!("{file}: {e}")),
        (None, Some(text)) => text.to_owned(),
        _ => panic!("case without body: {case}"),
    };
    let err = |e: paybridge::error::PayError| serde_json::json!({"code": e.code.as_str(), "gatewayCode": e.gateway_code});
    let body = parse_body(&body_text).map_err(err)?;
    let policy = UrlPolicy { sandbox_hosts: vec!["127.0.0.1:8080".into()], extra_domains: vec![] };
    let op = case.get("op").and_then(J::as_str).unwrap_or("create");
    let js = |v: &dyn ToJson| serde_json::from_str::<J>(&v.to_json_value().to_json()).unwrap();
    let out = match op {
        // `wallet` (create, native only): the wallet `wallet_of` reads from the answer.
        "create" => proto.parse_create(&params_of(case), &body, &policy).map(|c| {
            let wallet = proto.wallet_of(&params_of(case), &body).map(|w| w.as_str());
            match (case.get("wallet").and_then(J::as_str), wallet) {
                (Some(want), got) if Some(want) != got => serde_json::json!({"walletMismatch": got}),
                _ => js(&c.action),
            }
        }),
        "query" => proto.parse_query(&body).map(|s| js(&s)),
        "cancel" => proto.parse_cancel(&body).map(|s| js(&s)),
        "refundQuery" => proto.parse_refund_query(&body).map(|list| J::Array(list.iter().map(|s| js(s)).collect())),
        "refund" => proto.parse_refund(&body).map(|s| js(&s)),
        "openid" => paybridge::gateway::hipopay::parse_openid(&body).map(|id| serde_json::json!({ "openid": id })),
        other => panic!("unknown op {other}"),
    };
    out.map_err(err)
}

#[test]
fn every_fixture_case_parses_as_expected() {
    let mut ran = 0;
    let mut failures = Vec::new();
    for gw in Gateway::ALL {
        let Ok(proto) = refunds(gw) else { continue };
        let file = fixtures_dir().join(gw.as_str()).join("cases.json");
        let Ok(text) = std::fs::read_to_string(&file) else { continue };
        let cases: Vec<J> = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        for case in &cases {
            let name = format!("{}: {}", gw.as_str(), case.get("name").and_then(J::as_str).unwrap_or("?"));
            let got = run_case(proto, case);
            let ok = match (case.get("expect"), case.get("expectError"), &got) {
                (Some(e), None, Ok(a)) => subset(e, a),
                (None, Some(e), Err(a)) => subset(e, a),
                _ => false,
            };
            if !ok {
                failures.push(format!("{name}\n   got {got:?}"));
            }
            ran += 1;
        }
    }
    assert!(failures.is_empty(), "{} of {ran} fixture cases failed:\n{}", failures.len(), failures.join("\n"));
    eprintln!("{ran} fixture cases passed");
}
