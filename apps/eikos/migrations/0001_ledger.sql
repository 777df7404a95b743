-- The evidence ledger: an append-only RFC 6962 Merkle tree.
--
-- Storage scheme: every leaf (entries.leaf_hash, level 0) and every interior node of every *perfect*
-- subtree (nodes, level >= 1; the node at level l, index i covers leaves [i*2^l, (i+1)*2^l)) is stored
-- once, when the append that completes it commits. Any subtree hash RFC 6962 needs (for a root, an
-- inclusion or a consistency proof) is a fold over at most log2(n) perfect nodes, so a proof at any size
-- reads about 2*log2(n) rows by primary key (~40 at a million entries), never a scan. A tree of n leaves
-- stores n-1 interior nodes.

CREATE TABLE {{schema}}.entries (
  index bigint PRIMARY KEY CHECK (index >= 0),
  -- The exact entry bytes: RFC 8785 canonical JSON of {type, subject_id, actor, payload, timestamp}.
  bytes bytea NOT NULL,
  -- SHA-256(0x00 || bytes).
  leaf_hash bytea NOT NULL,
  type text NOT NULL,
  subject_id text NOT NULL,
  actor text NOT NULL,
  timestamp timestamptz NOT NULL,
  -- The bus event an entry records (redelivered events are not appended twice).
  event_id text UNIQUE
);
CREATE INDEX entries_subject_idx ON {{schema}}.entries (subject_id, index);
CREATE INDEX entries_timestamp_idx ON {{schema}}.entries (timestamp);

CREATE TABLE {{schema}}.nodes (
  level smallint NOT NULL CHECK (level >= 1),
  idx bigint NOT NULL CHECK (idx >= 0),
  hash bytea NOT NULL,
  PRIMARY KEY (level, idx)
);

-- One row: the committed tree size. Appenders lock it (SELECT ... FOR UPDATE), so replicas serialise.
CREATE TABLE {{schema}}.head (
  id smallint PRIMARY KEY CHECK (id = 1),
  tree_size bigint NOT NULL
);
INSERT INTO {{schema}}.head (id, tree_size) VALUES (1, 0);

-- Signed tree heads: Ed25519 over the canonical JSON of {tree_size, root_hash, timestamp}.
CREATE TABLE {{schema}}.tree_heads (
  tree_size bigint PRIMARY KEY,
  root_hash bytea NOT NULL,
  timestamp text NOT NULL,
  signature bytea NOT NULL,
  key_id text NOT NULL
);
