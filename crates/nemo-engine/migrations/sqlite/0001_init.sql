-- nemo engine schema, SQLite flavour. Keep in step with ../postgres/0001_init.sql:
-- ids are TEXT, times are i64 milliseconds since the epoch, JSON is TEXT, booleans are 0/1.

CREATE TABLE users (
    id          TEXT PRIMARY KEY,
    client_id   TEXT NOT NULL UNIQUE,
    credits     INTEGER NOT NULL,
    frozen      INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL
);

-- Only the sha256 of a token is stored, never the token itself.
CREATE TABLE tokens (
    token_hash  TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);
CREATE INDEX tokens_user ON tokens(user_id, expires_at);

CREATE TABLE sessions (
    id             TEXT PRIMARY KEY,
    task_id        TEXT NOT NULL UNIQUE,
    user_id        TEXT NOT NULL REFERENCES users(id),
    task_name      TEXT NOT NULL,
    language       TEXT,
    draft_version  INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

-- Every edit appends a version; undo moves sessions.draft_version back.
CREATE TABLE drafts (
    session_id  TEXT NOT NULL REFERENCES sessions(id),
    version     INTEGER NOT NULL,
    draft       TEXT NOT NULL,
    reason      TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (session_id, version)
);

CREATE TABLE messages (
    id          TEXT PRIMARY KEY,
    session_id  TEXT NOT NULL REFERENCES sessions(id),
    role        TEXT NOT NULL,
    content     TEXT NOT NULL,
    events      TEXT,
    created_at  INTEGER NOT NULL
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
    size_bytes   INTEGER NOT NULL,
    duration_ms  INTEGER,
    width        INTEGER,
    height       INTEGER,
    fps          REAL,
    has_audio    INTEGER NOT NULL DEFAULT 0,
    probe        TEXT NOT NULL,
    meta         TEXT,
    created_at   INTEGER NOT NULL
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
    progress      REAL NOT NULL DEFAULT 0,
    attempts      INTEGER NOT NULL DEFAULT 0,
    max_attempts  INTEGER NOT NULL,
    worker        TEXT,
    lease_until   INTEGER,
    run_at        INTEGER NOT NULL,
    cost          INTEGER NOT NULL DEFAULT 0,
    error         TEXT,
    output_key    TEXT,
    output_sha256 TEXT,
    output_size   INTEGER,
    output_duration_ms INTEGER,
    created_at    INTEGER NOT NULL,
    started_at    INTEGER,
    completed_at  INTEGER,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX jobs_queued ON jobs(state, run_at, id) WHERE state = 'queued';
CREATE INDEX jobs_running ON jobs(state, lease_until) WHERE state = 'running';
