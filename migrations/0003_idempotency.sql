-- Idempotency keys (05 §4): one row per (user, operation, key), holding the first response, written in the
-- same transaction as the effect. The primary key makes a concurrent duplicate wait for the first to finish.
CREATE TABLE idempotency_keys (
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  operation_id varchar(100) NOT NULL,
  key varchar(255) NOT NULL,
  request_hash char(64) NOT NULL,
  status_code smallint NOT NULL,
  response_body text,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (user_id, operation_id, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'workforce_app') THEN
    GRANT SELECT, INSERT, UPDATE, DELETE ON idempotency_keys TO workforce_app;
  END IF;
END $$;
