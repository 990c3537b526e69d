-- Back-office refunds ({{engine}}). Keep in step with ../{{other_engine_dir}}/0002_refunds.sql.
-- One row per (gateway, merchant refund number), committed before the gateway
-- is called and updated after; the sum of an order's rows that are not failed
-- is what the back office counts as refunded.
CREATE TABLE refunds (
    gateway           TEXT   NOT NULL,
    refund_no         TEXT   NOT NULL,
    out_trade_no      TEXT   NOT NULL,
    amount            BIGINT NOT NULL,
    state             TEXT   NOT NULL,
    gateway_refund_id TEXT,
    gateway_state     TEXT,
    created_at_ms     BIGINT NOT NULL,
    updated_at_ms     BIGINT NOT NULL,
    PRIMARY KEY (gateway, refund_no)
);
CREATE INDEX refunds_by_order ON refunds (gateway, out_trade_no);
