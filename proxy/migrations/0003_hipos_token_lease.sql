-- Who is fetching the shared HiPOS token: at most one row, while one instance
-- fetches a new token; the others wait for that token instead of fetching one
-- that would replace it. A lease that ran out (its instance died) is taken over.
CREATE TABLE hipos_token_lease (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    owner    TEXT   NOT NULL,
    until_ms BIGINT NOT NULL
);
