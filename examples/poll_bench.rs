//! Benchmark: how fast each polling schedule notices a payment and how many
//! status requests it costs, replayed in virtual time with `poll::simulate`
//! (100 ms answers). Prints a Markdown table. Run:
//! `cargo run --release --example poll_bench`.

use paybridge::poll::{simulate, PollPolicy, XorShift32};

const FIVE_MIN: i64 = 300_000;
const SAMPLES: u32 = 2_000;

fn percentile(xs: &mut [i64], p: usize) -> i64 {
    xs.sort_unstable();
    xs.get((xs.len() * p / 100).min(xs.len().saturating_sub(1))).copied().unwrap_or(-1)
}

/// Detection latencies (ms) and mean requests for payments at random moments in `[0, window)`.
fn run(policy: PollPolicy, window: i64) -> (i64, i64, u32) {
    let mut rng = XorShift32::new(7);
    let (mut lat, mut reqs) = (Vec::new(), 0_u64);
    for i in 0..SAMPLES {
        let pay_at = i64::from(rng.next_u32()) % window;
        let (found, n) = simulate(policy, pay_at, FIVE_MIN, i + 1);
        lat.push(found.unwrap_or(FIVE_MIN));
        reqs += u64::from(n);
    }
    (percentile(&mut lat, 50), percentile(&mut lat, 95), (reqs / u64::from(SAMPLES)) as u32)
}

fn main() {
    let fixed = |ms: u32| PollPolicy {
        first_interval_ms: ms,
        fast_phase_ms: u32::MAX / 2,
        growth_permille: 1000,
        ceiling_ms: ms,
        jitter_permille: 0,
        long_poll_wait_s: 0,
        timeout_ms: 10_000,
    };
    let adyen =
        PollPolicy { first_interval_ms: 2_000, fast_phase_ms: 60_000, growth_permille: 5_000, ceiling_ms: 10_000, jitter_permille: 0, long_poll_wait_s: 0, timeout_ms: 10_000 };
    let schedules = [
        ("paybridge (plain polling)", PollPolicy::default()),
        ("paybridge (long-poll, wait=25)", PollPolicy::default().with_long_poll(25)),
        ("Adyen (2 s, 10 s after 60 s)", adyen),
        ("uni-pay (1.5 s)", fixed(1_500)),
    ];
    println!("Noticing the payment, {SAMPLES} seeded pay moments each, 100 ms answers, virtual time");
    println!("| schedule | requests, 5 min unpaid | first minute p50 / p95 (ms) | over 5 min p50 / p95 (ms) | mean requests per order (pay within 5 min) |");
    println!("|---|---|---|---|---|");
    for (name, policy) in schedules {
        let (_, unpaid) = simulate(policy, i64::MAX, FIVE_MIN, 1);
        let (p50a, p95a, _) = run(policy, 60_000);
        let (p50b, p95b, mean) = run(policy, FIVE_MIN);
        println!("| {name} | {unpaid} | {p50a} / {p95a} | {p50b} / {p95b} | {mean} |");
    }
}
