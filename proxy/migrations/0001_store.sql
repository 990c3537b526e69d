-- The store's first schema ({{engine}}). Keep in step with ../{{other_engine_dir}}/0001_store.sql:
-- the same tables and columns; only the auto-increment key is spelt differently.

-- Verified notifications, unique per (gateway, key): de-duplication across restarts and instances.
CREATE TABLE notifications (
    gateway          TEXT   NOT NULL,
    notification_key TEXT   NOT NULL,
    received_at_ms   BIGINT NOT NULL,
    PRIMARY KEY (gateway, notification_key)
);

-- Payment events for the merchant, in commit order (seq), with their delivery state.
CREATE TABLE events (
    seq             {{serial_key}},
    id              TEXT   NOT NULL UNIQUE,
    dedupe_key      TEXT   NOT NULL UNIQUE,
    kind            TEXT   NOT NULL,
    gateway         TEXT   NOT NULL,
    out_trade_no    TEXT   NOT NULL,
    state           TEXT   NOT NULL,
    amount          BIGINT,
    gateway_amount  BIGINT,
    transaction_id  TEXT,
    refund_no       TEXT,
    created_at_ms   BIGINT NOT NULL,
    delivery        TEXT   NOT NULL DEFAULT 'pending',
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_ms BIGINT NOT NULL,
    lease_owner     TEXT,
    lease_until_ms  BIGINT,
    last_error      TEXT,
    delivered_at_ms BIGINT
);
CREATE INDEX events_by_order ON events (gateway, out_trade_no, seq);
CREATE INDEX events_due ON events (delivery, next_attempt_ms);

-- The HiPOS token every instance shares (one row).
CREATE TABLE hipos_token (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    token         TEXT   NOT NULL,
    merchant_id   TEXT   NOT NULL,
    fetched_at_ms BIGINT NOT NULL
);
