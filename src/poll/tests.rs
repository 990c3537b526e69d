use super::*;

const MINUTE: i64 = 60_000;

/// The default schedule without jitter, for exact gaps.
fn steady() -> PollPolicy {
    PollPolicy { jitter_permille: 0, ..PollPolicy::default() }
}

/// Adyen's schedule in this model: 2 s, then 10 s after 60 s, no jitter.
fn adyen() -> PollPolicy {
    PollPolicy { first_interval_ms: 2_000, fast_phase_ms: 60_000, growth_permille: 5_000, ceiling_ms: 10_000, jitter_permille: 0, long_poll_wait_s: 0, timeout_ms: 10_000 }
}

/// Sends the query due at `now` (after waiting if needed) and answers it at once.
fn step(poller: &mut Poller, now: &mut i64, outcome: Outcome) -> Query {
    loop {
        match poller.next_delay(*now, 0) {
            Decision::Wait(ms) => *now += i64::from(ms),
            Decision::QueryNow(query) => {
                assert!(poller.on_response(*now, query.seq, outcome));
                return query;
            }
            Decision::Stop(reason) => panic!("stopped early: {reason:?}"),
        }
    }
}

/// The moments queries start, answering each with `Pending` after 100 ms.
fn query_times(policy: PollPolicy, deadline: i64) -> Vec<i64> {
    let mut poller = Poller::new(policy, 0, deadline);
    let (mut now, mut starts) = (0, Vec::new());
    loop {
        match poller.next_delay(now, 0) {
            Decision::Wait(ms) => now += i64::from(ms),
            Decision::QueryNow(query) => {
                starts.push(now);
                now += SIM_ANSWER_MS;
                poller.on_response(now, query.seq, Outcome::State(PayState::Pending));
            }
            Decision::Stop(_) => return starts,
        }
    }
}

#[test]
fn backoff_grows_to_the_ceiling() {
    let policy = steady();
    let starts = query_times(policy, 5 * MINUTE);
    let gaps: Vec<i64> = starts.windows(2).map(|w| w[1] - w[0] - SIM_ANSWER_MS).collect();
    let fast = i64::from(policy.first_interval_ms);
    assert_eq!(gaps[0], fast);
    let first_slow = gaps.iter().position(|&g| g > fast).unwrap_or(gaps.len());
    assert!(starts[first_slow] >= i64::from(policy.fast_phase_ms));
    assert_eq!(gaps[first_slow], fast * 3 / 2);
    assert!(gaps[..gaps.len() - 1].windows(2).all(|w| w[0] <= w[1]), "{gaps:?}");
    assert!(gaps.iter().all(|&g| g <= i64::from(policy.ceiling_ms)));
    assert_eq!(gaps[gaps.len() - 2], i64::from(policy.ceiling_ms));
}

#[test]
fn jitter_stays_within_bounds() {
    let policy = PollPolicy::default();
    let (base, spread) = (policy.first_interval_ms, policy.first_interval_ms / 10);
    let mut rng = XorShift32::new(1);
    let waits: Vec<u32> = (0..1000)
        .map(|_| match Poller::new(policy, 0, MINUTE).next_delay(0, rng.next_u32()) {
            Decision::Wait(ms) => ms,
            other => panic!("{other:?}"),
        })
        .collect();
    assert!(waits.iter().all(|&w| (base - spread..=base + spread).contains(&w)));
    assert!(waits.iter().min() < Some(&(base - spread / 2)) && waits.iter().max() > Some(&(base + spread / 2)));
    // Asking again before anything happened gives the same plan.
    let mut poller = Poller::new(policy, 0, MINUTE);
    let first = poller.next_delay(0, 123_456);
    assert_eq!(poller.next_delay(0, 999), first);
}

#[test]
fn hidden_pauses_then_one_query_on_visible() {
    let mut poller = Poller::new(steady(), 0, 10 * MINUTE);
    poller.on_hidden();
    for now in (1_000..MINUTE).step_by(700) {
        assert!(matches!(poller.next_delay(now, 0), Decision::Wait(_)), "queried while hidden at {now}");
    }
    poller.on_visible(MINUTE);
    let Decision::QueryNow(query) = poller.next_delay(MINUTE, 0) else { panic!("no query on visible") };
    // visibilitychange and pageshow both fire: still one query.
    poller.on_visible(MINUTE + 10);
    assert!(matches!(poller.next_delay(MINUTE + 20, 0), Decision::Wait(_)));
    poller.on_response(MINUTE + 100, query.seq, Outcome::State(PayState::Pending));
    // The fast phase starts again.
    assert_eq!(poller.next_delay(MINUTE + 100, 0), Decision::Wait(1_500));
}

#[test]
fn deadline_is_the_orders_expiry() {
    let opened = 1_700_000_000_000;
    let starts = query_times(steady(), 20_000);
    assert_eq!(starts.last(), Some(&20_000), "one last query at the deadline");
    assert!(starts.iter().all(|&t| t <= 20_000));
    // An order created long before the page opened: only the expiry counts.
    let mut poller = Poller::new(steady(), opened, opened + 3_000);
    let mut now = opened;
    step(&mut poller, &mut now, Outcome::State(PayState::Pending));
    step(&mut poller, &mut now, Outcome::State(PayState::Pending));
    assert_eq!(now, opened + 3_000);
    assert_eq!(poller.next_delay(now, 0), Decision::Stop(StopReason::Deadline));
    // Hidden at the deadline: stop without the last query.
    let mut poller = Poller::new(steady(), 0, 5_000);
    poller.on_hidden();
    assert_eq!(poller.next_delay(5_000, 0), Decision::Stop(StopReason::Deadline));
}

#[test]
fn single_flight() {
    let mut poller = Poller::new(steady(), 0, 10 * MINUTE);
    let Decision::QueryNow(query) = poller.next_delay(1_500, 0) else { panic!() };
    assert!(poller.in_flight());
    poller.nudge(2_000);
    for now in [1_600, 5_000, 11_499] {
        assert!(matches!(poller.next_delay(now, 0), Decision::Wait(_)), "second query at {now}");
    }
    assert!(!poller.on_response(3_000, query.seq + 1, Outcome::State(PayState::Succeeded)), "unknown seq accepted");
    assert!(poller.in_flight());
    // The timeout ends it as a failure; the nudge's query follows at once.
    let Decision::QueryNow(next) = poller.next_delay(11_500, 0) else { panic!("timeout did not end the flight") };
    assert_ne!(next.seq, query.seq);
    assert!(!poller.on_response(11_600, query.seq, Outcome::State(PayState::Succeeded)), "late answer accepted");
    assert!(poller.on_response(11_700, next.seq, Outcome::State(PayState::Pending)));
    assert!(!poller.in_flight());
}

#[test]
fn cancel_stops() {
    let mut poller = Poller::new(steady(), 0, MINUTE);
    let Decision::QueryNow(query) = poller.next_delay(2_000, 0) else { panic!() };
    poller.cancel();
    assert!(!poller.in_flight());
    assert!(!poller.on_response(2_100, query.seq, Outcome::State(PayState::Succeeded)));
    assert_eq!(poller.next_delay(2_200, 0), Decision::Stop(StopReason::Cancelled));
}

#[test]
fn terminal_states_stop_and_others_keep_going() {
    for state in [PayState::Succeeded, PayState::Failed, PayState::Closed, PayState::Cancelled, PayState::Refunded] {
        let mut poller = Poller::new(steady(), 0, MINUTE);
        let mut now = 0;
        step(&mut poller, &mut now, Outcome::State(state));
        assert_eq!(poller.next_delay(now, 0), Decision::Stop(StopReason::Settled(state)));
    }
    let mut poller = Poller::new(steady(), 0, 10 * MINUTE);
    let mut now = 0;
    for outcome in [Outcome::State(PayState::Unknown), Outcome::State(PayState::Paying), Outcome::Failed] {
        step(&mut poller, &mut now, outcome);
        assert!(matches!(poller.next_delay(now, 0), Decision::Wait(_)), "{outcome:?} stopped polling");
    }
}

#[test]
fn network_errors_back_off_then_recover() {
    let mut poller = Poller::new(steady(), 0, 10 * MINUTE);
    let mut now = 0;
    let mut gaps = Vec::new();
    for _ in 0..5 {
        step(&mut poller, &mut now, Outcome::Failed);
        let Decision::Wait(ms) = poller.next_delay(now, 0) else { panic!() };
        gaps.push(ms);
    }
    assert_eq!(gaps, [2_250, 3_375, 5_062, 7_593, 11_389]);
    step(&mut poller, &mut now, Outcome::State(PayState::Unknown));
    assert_eq!(poller.next_delay(now, 0), Decision::Wait(1_500), "a good answer in the fast phase resets the backoff");
}

#[test]
fn long_poll_follows_answers_and_clamps_wait() {
    assert_eq!(PollPolicy::default().with_long_poll(99).long_poll_wait_s, MAX_LONG_POLL_S);
    let mut poller = Poller::new(steady().with_long_poll(25), 0, 40_000);
    let Decision::QueryNow(first) = poller.next_delay(0, 0) else { panic!("long-poll starts at once") };
    assert_eq!((first.wait_s, first.timeout_ms), (25, 35_000));
    poller.on_response(25_050, first.seq, Outcome::State(PayState::Pending));
    let Decision::QueryNow(second) = poller.next_delay(25_050, 0) else { panic!("no immediate follow-up") };
    assert_eq!(second.wait_s, 14, "wait clamped to the time left");
    // A proxy that answers at once anyway: queries stay 1.5 s apart.
    poller.on_response(25_100, second.seq, Outcome::State(PayState::Paying));
    assert_eq!(poller.next_delay(25_100, 0), Decision::Wait(1_450));
    let Decision::QueryNow(third) = poller.next_delay(26_550, 0) else { panic!() };
    poller.on_response(26_600, third.seq, Outcome::State(PayState::Succeeded));
    assert_eq!(poller.next_delay(26_600, 0), Decision::Stop(StopReason::Settled(PayState::Succeeded)));
}

/// Requests over a 5-minute wait that never pays.
fn five_minute_requests(policy: PollPolicy) -> u32 {
    simulate(policy, i64::MAX, 5 * MINUTE, 7).1
}

/// The p95 of payment-to-page latency for 2000 payments in the first minute.
fn first_minute_p95(policy: PollPolicy) -> i64 {
    let mut rng = XorShift32::new(42);
    let mut latencies: Vec<i64> = (1..=2000).map(|seed| simulate(policy, i64::from(rng.next_u32() % 60_000), 5 * MINUTE, seed).0.unwrap_or(i64::MAX)).collect();
    latencies.sort_unstable();
    latencies[latencies.len() * 95 / 100 - 1]
}

#[test]
fn schedule_beats_adyen() {
    let (ours, theirs, long) = (PollPolicy::default(), adyen(), PollPolicy::default().with_long_poll(25));
    assert_eq!((five_minute_requests(ours), five_minute_requests(theirs), five_minute_requests(long)), (51, 53, 14));
    assert!(five_minute_requests(ours) < 54);
    assert_eq!((first_minute_p95(ours), first_minute_p95(theirs), first_minute_p95(long)), (1_703, 2_038, 50));
    assert!(first_minute_p95(long) <= 1_000 + SIM_ANSWER_MS);
}

#[test]
fn simulate_edges() {
    assert_eq!(simulate(PollPolicy::default(), i64::MAX, MINUTE, 1).0, None);
    assert_eq!(simulate(steady(), 0, MINUTE, 1), (Some(1_600), 1));
    let (latency, requests) = simulate(steady().with_long_poll(25), 10_000, MINUTE, 1);
    assert_eq!((latency, requests), (Some(SIM_ANSWER_MS / 2), 1));
}

#[test]
fn xorshift_is_deterministic() {
    let run = |seed| {
        let mut rng = XorShift32::new(seed);
        [rng.next_u32(), rng.next_u32(), rng.next_u32()]
    };
    assert_eq!(run(9), run(9));
    assert_ne!(run(9), run(10));
    assert!(run(0).iter().all(|&x| x != 0));
}

#[test]
fn extreme_times_do_not_overflow() {
    for (now, deadline) in [(0, i64::MIN), (i64::MAX - 1, i64::MAX), (i64::MIN, i64::MAX), (1, 0)] {
        let mut poller = Poller::new(PollPolicy::default().with_long_poll(30), now, deadline);
        let mut t = now;
        for _ in 0..5 {
            match poller.next_delay(t, u32::MAX) {
                Decision::QueryNow(query) => {
                    poller.on_response(t, query.seq, Outcome::Failed);
                }
                Decision::Wait(ms) => t = t.saturating_add(i64::from(ms)),
                Decision::Stop(_) => break,
            }
        }
    }
}
