//! Property tests (proptest): signing canonicalisation of the gateways that
//! sign sorted `k=v` strings, HipoPay's canonical string and percent
//! encoding, BeeCloud's case-insensitive signature check, and the polling
//! schedule's rules. The signing properties need feature `signing`, which
//! `cargo test --workspace` turns on (the proxy depends on it). Native only.
#![cfg(not(target_arch = "wasm32"))]

use paybridge::model::PayState;
use paybridge::poll::{Decision, Outcome, PollPolicy, Poller, StopReason};
use proptest::prelude::*;

#[cfg(feature = "signing")]
mod signing {
    use paybridge::gateway::wire::{form_decode, quote, Secrets, WireRequest};
    use paybridge::gateway::{rules, wire, Encoding, Endpoint};
    use paybridge::json::{self, Value};
    use paybridge::model::Gateway;
    use proptest::prelude::*;

    const NOW_MS: i64 = 1_700_000_000_000;

    /// Name/value pairs as the signers take them.
    type Fields = Vec<(String, String)>;

    fn blueocean_secrets() -> Secrets {
        Secrets::from_pairs([("appid", "1000258"), ("app_key", "sandbox-test-key-blueocean-0000000000")])
    }

    fn beecloud_secrets() -> Secrets {
        Secrets::from_pairs([
            ("app_id", "0950c062-5e41-44e3-8f52-sandbox00001"),
            ("app_secret", "sandbox-test-app-secret-beecloud"),
            ("master_secret", "sandbox-test-master-secret-beecloud"),
        ])
    }

    /// Distinct field names (never the names the signers treat specially)
    /// with non-empty values.
    fn fields() -> impl Strategy<Value = Fields> {
        prop::collection::btree_map("[a-z_]{1,12}", "[ -~\u{4e00}-\u{4e0f}]{1,16}", 1..10)
            .prop_map(|m| m.into_iter().filter(|(k, _)| !matches!(k.as_str(), "sign" | "key" | "appid")).collect::<Vec<_>>())
            .prop_filter("at least one field", |v| !v.is_empty())
    }

    /// The fields in two independent random orders.
    fn two_orders() -> impl Strategy<Value = (Fields, Fields)> {
        fields().prop_flat_map(|f| (Just(f.clone()).prop_shuffle(), Just(f).prop_shuffle()))
    }

    /// The fields, an index into them and a different non-empty value.
    fn one_change() -> impl Strategy<Value = (Fields, usize, String)> {
        fields().prop_flat_map(|f| {
            let n = f.len();
            (Just(f), 0..n, "[ -~]{1,16}")
        })
    }

    fn object(pairs: &[(String, String)]) -> Value {
        Value::object(pairs.iter().map(|(k, v)| (k.clone(), Value::str(v.clone()))))
    }

    fn blueocean_endpoint() -> &'static Endpoint {
        &rules(Gateway::BlueOcean).unwrap().endpoints()[0]
    }

    fn blueocean_request(pairs: &[(String, String)]) -> WireRequest {
        let e = blueocean_endpoint();
        wire(Gateway::BlueOcean).unwrap().encode_request(e, e.path, &object(pairs), &blueocean_secrets(), NOW_MS).unwrap()
    }

    fn sign_of(request: &WireRequest) -> String {
        let body = json::parse(std::str::from_utf8(&request.body).unwrap()).unwrap();
        body.text("sign").unwrap().to_owned()
    }

    /// A BeeCloud endpoint with a JSON body and a fixed path.
    fn beecloud_endpoint() -> &'static Endpoint {
        rules(Gateway::BeeCloud).unwrap().endpoints().iter().find(|e| e.encoding == Encoding::Json && !e.path.contains('{')).unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

        #[test]
        fn blueocean_sign_ignores_input_order((a, b) in two_orders()) {
            let (ra, rb) = (blueocean_request(&a), blueocean_request(&b));
            prop_assert_eq!(sign_of(&ra), sign_of(&rb));
            let w = wire(Gateway::BlueOcean).unwrap();
            prop_assert!(w.decode_request(blueocean_endpoint(), &rb, &blueocean_secrets(), NOW_MS).is_ok());
        }

        #[test]
        fn blueocean_any_single_field_change_changes_sign((f, i, new) in one_change()) {
            prop_assume!(f[i].1 != new);
            let before = blueocean_request(&f);
            let mut g = f.clone();
            g[i].1 = new.clone();
            prop_assert_ne!(sign_of(&before), sign_of(&blueocean_request(&g)));
            // The sandbox refuses the first request with the one field changed.
            let mut body = json::parse(std::str::from_utf8(&before.body).unwrap()).unwrap();
            if let Value::Object(members) = &mut body {
                members.iter_mut().find(|(k, _)| *k == f[i].0).unwrap().1 = Value::str(new);
            }
            let tampered = WireRequest { body: body.to_json().into_bytes(), ..before };
            let w = wire(Gateway::BlueOcean).unwrap();
            prop_assert!(w.decode_request(blueocean_endpoint(), &tampered, &blueocean_secrets(), NOW_MS).is_err());
        }

        #[test]
        fn chaoying_sign_ignores_input_order((a, b) in two_orders()) {
            let key = "sandbox-test-key-chaoying-00000000";
            prop_assert_eq!(paybridge::gateway::chaoying::sign_pairs(&a, key), paybridge::gateway::chaoying::sign_pairs(&b, key));
            // The signed string lists the fields sorted by name.
            let text = paybridge::gateway::chaoying::signing_string(&b, key);
            let mut sorted = a.clone();
            sorted.sort();
            let expected: String = sorted.iter().map(|(k, v)| format!("{k}={v}&")).collect::<String>() + "key=" + key;
            prop_assert_eq!(text, expected);
        }

        #[test]
        fn chaoying_any_single_field_change_changes_sign((f, i, new) in one_change()) {
            prop_assume!(f[i].1 != new);
            let key = "sandbox-test-key-chaoying-00000000";
            let mut g = f.clone();
            g[i].1 = new;
            prop_assert_ne!(paybridge::gateway::chaoying::sign_pairs(&f, key), paybridge::gateway::chaoying::sign_pairs(&g, key));
            // Dropping the field (or emptying it) changes it too.
            g[i].1 = String::new();
            prop_assert_ne!(paybridge::gateway::chaoying::sign_pairs(&f, key), paybridge::gateway::chaoying::sign_pairs(&g, key));
        }

        #[test]
        fn hipopay_canonical_string_is_sorted_and_round_trips(
            pairs in prop::collection::btree_map("\\PC{1,8}", "\\PC{0,12}", 0..8).prop_flat_map(|m| Just(m.into_iter().collect::<Vec<_>>()).prop_shuffle()),
            ts in 1_000_000_000u32..2_000_000_000,
        ) {
            let ts = ts.to_string();
            let text = paybridge::gateway::hipopay::sign_string(&pairs, &ts);
            let (body, tail) = text.rsplit_once(',').unwrap();
            prop_assert_eq!(tail, ts.as_str());
            // Only the unreserved characters and escapes appear.
            prop_assert!(body.bytes().all(|b| b.is_ascii_alphanumeric() || b"_.-%=&".contains(&b)));
            let decoded = form_decode(body);
            let mut sorted = pairs.clone();
            sorted.sort();
            // Empty values come back as empty; the order is by name, byte-wise.
            prop_assert_eq!(&decoded, &sorted);
            // Any order of the input gives the same string.
            let mut reversed = pairs.clone();
            reversed.reverse();
            prop_assert_eq!(paybridge::gateway::hipopay::sign_string(&reversed, &ts), text);
        }

        #[test]
        fn percent_encoding_round_trips(s in "\\PC{0,24}") {
            let q = quote(&s);
            prop_assert!(q.bytes().all(|b| b.is_ascii_alphanumeric() || b"_.-%".contains(&b)));
            let pair = form_decode(&format!("k={q}"));
            prop_assert_eq!(pair, vec![("k".to_owned(), s)]);
        }

        #[test]
        fn beecloud_sign_is_case_insensitive_on_verify(
            bill_no in "[A-Za-z0-9]{8,32}",
            flips in prop::collection::vec(any::<bool>(), 32),
            wrong_at in 0usize..32,
        ) {
            let w = wire(Gateway::BeeCloud).unwrap();
            let e = beecloud_endpoint();
            let params = Value::object([("bill_no", Value::str(bill_no)), ("channel", Value::str("WX_NATIVE"))]);
            let request = w.encode_request(e, e.path, &params, &beecloud_secrets(), NOW_MS).unwrap();
            let body = json::parse(std::str::from_utf8(&request.body).unwrap()).unwrap();
            let sign = body.text("app_sign").unwrap().to_owned();
            prop_assert!(sign.len() == 32 && sign.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
            let with_sign = |s: String| {
                let Value::Object(members) = &body else { unreachable!() };
                let members = members.iter().map(|(k, v)| if k == "app_sign" { (k.clone(), Value::str(s.clone())) } else { (k.clone(), v.clone()) }).collect();
                WireRequest { body: Value::Object(members).to_json().into_bytes(), ..request.clone() }
            };
            let mixed: String = sign.chars().zip(&flips).map(|(c, &up)| if up { c.to_ascii_uppercase() } else { c }).collect();
            for s in [sign.to_ascii_uppercase(), mixed] {
                prop_assert!(w.decode_request(e, &with_sign(s), &beecloud_secrets(), NOW_MS).is_ok());
            }
            // A different hex digit is refused, whatever its case.
            let mut wrong: Vec<u8> = sign.clone().into_bytes();
            wrong[wrong_at] = if wrong[wrong_at] == b'0' { b'F' } else { b'0' };
            prop_assert!(w.decode_request(e, &with_sign(String::from_utf8(wrong).unwrap()), &beecloud_secrets(), NOW_MS).is_err());
        }
    }
}

// ---------------------------------------------------------------------------
// Polling schedule
// ---------------------------------------------------------------------------

fn policies() -> impl Strategy<Value = PollPolicy> {
    (100u32..5_000, 0u32..120_000, 1_000u32..3_000, 0u32..60_000, 0u32..=1_000, prop_oneof![3 => Just(0u32), 1 => 1u32..=40], 500u32..20_000).prop_map(
        |(first, fast, growth, extra, jitter, long_poll, timeout)| {
            let p = PollPolicy {
                first_interval_ms: first,
                fast_phase_ms: fast,
                growth_permille: growth,
                ceiling_ms: first + extra,
                jitter_permille: jitter,
                long_poll_wait_s: 0,
                timeout_ms: timeout,
            };
            p.with_long_poll(long_poll)
        },
    )
}

fn state(b: u8) -> PayState {
    [PayState::Pending, PayState::Paying, PayState::Unknown, PayState::Succeeded, PayState::Failed, PayState::Closed, PayState::Cancelled, PayState::Refunded][usize::from(b % 8)]
}

/// What happens to the page between two asks of the poller.
#[derive(Clone, Debug)]
enum Event {
    /// Ask the poller; the driver sleeps at most this long on a `Wait`.
    Ask(u32),
    /// The query in flight answers after this long (ignored if none), with
    /// a state (selector) or a failure.
    Answer(u32, Option<u8>),
    Hide(u32),
    Show(u32),
    Nudge(u32),
}

fn events() -> impl Strategy<Value = Vec<Event>> {
    prop::collection::vec(
        prop_oneof![
            6 => (0u32..30_000).prop_map(Event::Ask),
            4 => (0u32..15_000, prop::option::weighted(0.8, any::<u8>())).prop_map(|(t, s)| Event::Answer(t, s)),
            1 => (0u32..60_000).prop_map(Event::Hide),
            1 => (0u32..60_000).prop_map(Event::Show),
            1 => (0u32..60_000).prop_map(Event::Nudge),
        ],
        1..200,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Never two queries in flight, no query while hidden, nothing after a
    /// stop, a terminal answer stops at once, the deadline stops after at
    /// most one last query — whatever the page does and whenever.
    #[test]
    fn poller_rules_hold_under_any_event_order(policy in policies(), deadline in 1i64..900_000, script in events(), seed in any::<u32>()) {
        let mut p = Poller::new(policy, 0, deadline);
        let mut rng = paybridge::poll::XorShift32::new(seed);
        let mut now = 0i64;
        let mut hidden = false;
        // (seq, started, timeout) of the query the driver believes is open.
        let mut open: Option<(u32, i64, u32)> = None;
        let mut settled: Option<PayState> = None;
        let mut stopped: Option<StopReason> = None;
        let mut after_deadline = 0;
        for event in script {
            match event {
                Event::Ask(max) => match p.next_delay(now, rng.next_u32()) {
                    Decision::QueryNow(q) => {
                        prop_assert!(stopped.is_none() && settled.is_none(), "query after stop");
                        prop_assert!(!hidden, "query while hidden");
                        if let Some((_, started, timeout)) = open {
                            prop_assert!(now >= started + i64::from(timeout), "second query in flight");
                        }
                        prop_assert!(q.wait_s <= paybridge::poll::MAX_LONG_POLL_S);
                        if now >= deadline {
                            after_deadline += 1;
                            prop_assert!(after_deadline <= 1, "more than one query after the deadline");
                        }
                        open = Some((q.seq, now, q.timeout_ms));
                    }
                    Decision::Wait(ms) => {
                        prop_assert!(stopped.is_none());
                        now += i64::from(ms.min(max));
                    }
                    Decision::Stop(reason) => {
                        if let Some(before) = stopped {
                            prop_assert_eq!(before, reason);
                        }
                        match reason {
                            StopReason::Settled(s) => prop_assert_eq!(Some(s), settled),
                            StopReason::Deadline => prop_assert!(now >= deadline && settled.is_none()),
                            StopReason::Cancelled => prop_assert!(false, "never cancelled"),
                        }
                        stopped = Some(reason);
                    }
                },
                Event::Answer(after, outcome) => {
                    if let Some((seq, _, _)) = open.take() {
                        now += i64::from(after);
                        let outcome = outcome.map_or(Outcome::Failed, |b| Outcome::State(state(b)));
                        let accepted = p.on_response(now, seq, outcome);
                        if accepted {
                            if let Outcome::State(s) = outcome {
                                if s.is_terminal() {
                                    settled = Some(s);
                                }
                            }
                        }
                        if settled.is_some() {
                            prop_assert!(matches!(p.next_delay(now, 0), Decision::Stop(StopReason::Settled(_))));
                        }
                    }
                }
                Event::Hide(t) => {
                    now += i64::from(t);
                    p.on_hidden();
                    hidden = true;
                }
                Event::Show(t) => {
                    now += i64::from(t);
                    p.on_visible(now);
                    hidden = false;
                }
                Event::Nudge(t) => {
                    now += i64::from(t);
                    p.nudge(now);
                }
            }
        }
    }

    /// Left alone (visible, answers after `latency`), the gap between an
    /// answer and the next query stays within [first interval − jitter,
    /// ceiling + jitter] in plain polling, and polling stops at the deadline.
    #[test]
    fn plain_polling_delays_stay_within_bounds_and_stop_at_deadline(
        policy in policies(),
        deadline in 1i64..900_000,
        latency in 0i64..3_000,
        answers in prop::collection::vec(prop::option::weighted(0.8, 0u8..3), 1..400),
        seed in any::<u32>(),
    ) {
        let policy = policy.with_long_poll(0);
        let j = i64::from(policy.jitter_permille);
        let lo = i64::from(policy.first_interval_ms) * (1000 - j) / 1000;
        let hi = i64::from(policy.ceiling_ms) * (1000 + j) / 1000 + 1;
        let mut p = Poller::new(policy, 0, deadline);
        let mut rng = paybridge::poll::XorShift32::new(seed);
        let (mut now, mut free_since, mut queries) = (0i64, 0i64, 0usize);
        let mut answers = answers.into_iter().cycle();
        loop {
            match p.next_delay(now, rng.next_u32()) {
                Decision::Wait(ms) => {
                    prop_assert!(ms > 0 || now >= deadline);
                    now += i64::from(ms);
                }
                Decision::QueryNow(q) => {
                    queries += 1;
                    prop_assert!(queries < 10_000);
                    if now < deadline {
                        let gap = now - free_since;
                        prop_assert!(gap >= lo && gap <= hi, "gap {} outside [{}, {}]", gap, lo, hi);
                    } else {
                        prop_assert!(now <= deadline + latency, "last query late: {} > {}", now, deadline);
                    }
                    prop_assert_eq!(q.wait_s, 0);
                    now += latency;
                    let outcome = answers.next().unwrap().map_or(Outcome::Failed, |b| Outcome::State(state(b)));
                    prop_assert!(p.on_response(now, q.seq, outcome));
                    free_since = now;
                }
                Decision::Stop(reason) => {
                    prop_assert_eq!(reason, StopReason::Deadline);
                    prop_assert!(now >= deadline);
                    break;
                }
            }
        }
    }

    /// A terminal answer stops polling for good, whatever comes after.
    #[test]
    fn terminal_state_stops(policy in policies(), terminal in 3u8..8, pendings in 0usize..20, later in 0i64..1_000_000) {
        let mut p = Poller::new(policy, 0, i64::MAX / 4);
        let mut now = 0i64;
        let mut n = 0;
        loop {
            match p.next_delay(now, 7) {
                Decision::Wait(ms) => now += i64::from(ms),
                Decision::QueryNow(q) => {
                    now += 50;
                    let s = if n < pendings { PayState::Pending } else { state(terminal) };
                    n += 1;
                    prop_assert!(p.on_response(now, q.seq, Outcome::State(s)));
                    if s.is_terminal() {
                        break;
                    }
                }
                Decision::Stop(r) => prop_assert!(false, "stopped early: {:?}", r),
            }
        }
        p.nudge(now + later);
        p.on_hidden();
        p.on_visible(now + later);
        prop_assert_eq!(p.next_delay(now + later, 1), Decision::Stop(StopReason::Settled(state(terminal))));
        prop_assert!(!p.in_flight());
    }
}
