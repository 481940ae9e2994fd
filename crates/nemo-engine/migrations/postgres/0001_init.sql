-- nemo engine schema, Postgres flavour. Keep in step with ../sqlite/0001_init.sql:
-- ids are TEXT, times are i64 milliseconds since the epoch, JSON is TEXT, booleans are 0/1.

CREATE TABLE users (
    id          TEXT PRIMARY KEY,
    client_id   TEXT NOT NULL UNIQUE,
    credits     BIGINT NOT NULL,
    frozen      BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL
);

-- Only the sha256 of a token is stored, never the token itself.
CREATE TABLE tokens (
    token_hash  TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id),
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX tokens_user ON tokens(user_id, expires_at);

CREATE TABLE sessions (
    id             TEXT PRIMARY KEY,
    task_id        TEXT NOT NULL UNIQUE,
    user_id        TEXT NOT NULL REFERENCES users(id),
    task_name      TEXT NOT NULL,
    language       TEXT,
    draft_version  BIGINT NOT NULL DEFAULT 0,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

-- Every edit appends a version; undo moves sessions.draft_version back.
CREATE TABLE drafts (
    session_id  TEXT NOT NULL REFERENCES sessions(id),
    version     BIGINT NOT NULL,
    draft       TEXT NOT NULL,
    reason      TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (session_id, version)
);

CREATE TABLE messages (
    id          TEXT PRIMARY KEY,
    session_id  TEXT NOT NULL REFERENCES sessions(id),
    role        TEXT NOT NULL,
    content     TEXT NOT NULL,
    events      TEXT,
    created_at  BIGINT NOT NULL
);
CREATE INDEX messages_session ON messages(session_id, created_at);

CREATE TABLE media (
    id           TEXT PRIMARY KEY,
    session_id   TEXT NOT NULL REFERENCES sessions(id),
    sha256       TEXT NOT NULL,
    object_key   TEXT NOT NULL,
    filename     TEXT NOT NULL,
    file_type    TEXT NOT NULL,
    origin       TEXT NOT NULL,
    size_bytes   BIGINT NOT NULL,
    duration_ms  BIGINT,
    width        BIGINT,
    height       BIGINT,
    fps          DOUBLE PRECISION,
    has_audio    BIGINT NOT NULL DEFAULT 0,
    probe        TEXT NOT NULL,
    meta         TEXT,
    created_at   BIGINT NOT NULL
);
CREATE INDEX media_session ON media(session_id, created_at);

-- Durable work queue. A worker claims a row (state 'running', lease_until in the future,
-- worker = its id), heartbeats the lease while it works and completes it guarded by its id.
CREATE TABLE jobs (
    id            TEXT PRIMARY KEY,
    kind          TEXT NOT NULL,
    session_id    TEXT NOT NULL REFERENCES sessions(id),
    user_id       TEXT NOT NULL REFERENCES users(id),
    state         TEXT NOT NULL,
    payload       TEXT NOT NULL,
    progress      DOUBLE PRECISION NOT NULL DEFAULT 0,
    attempts      BIGINT NOT NULL DEFAULT 0,
    max_attempts  BIGINT NOT NULL,
    worker        TEXT,
    lease_until   BIGINT,
    run_at        BIGINT NOT NULL,
    cost          BIGINT NOT NULL DEFAULT 0,
    error         TEXT,
    output_key    TEXT,
    output_sha256 TEXT,
    output_size   BIGINT,
    output_duration_ms BIGINT,
    created_at    BIGINT NOT NULL,
    started_at    BIGINT,
    completed_at  BIGINT,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX jobs_queued ON jobs(state, run_at, id) WHERE state = 'queued';
CREATE INDEX jobs_running ON jobs(state, lease_until) WHERE state = 'running';
