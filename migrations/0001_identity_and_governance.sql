-- Identity, access and governance (spec 01; 04 §2.1, §2.4, §2.5; 05 §3, §7).
-- Invariants live here too: uniqueness, foreign keys, checks, and the append-only hash-chained audit log.

CREATE EXTENSION IF NOT EXISTS btree_gist;

-- The application role: what the API may do, in particular only SELECT/INSERT on the audit log.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'workforce_app') THEN
    CREATE ROLE workforce_app NOLOGIN;
  END IF;
EXCEPTION
  WHEN duplicate_object OR unique_violation THEN NULL; -- created concurrently by another database's migration
  WHEN insufficient_privilege THEN
    RAISE NOTICE 'cannot create role workforce_app; audit protection relies on its triggers alone';
END $$;

CREATE TYPE user_role AS ENUM ('admin', 'hr_operations', 'manager', 'team_lead', 'employee', 'intern', 'junior_employee');
CREATE TYPE user_status AS ENUM ('invited', 'active', 'suspended', 'inactive');

CREATE TABLE departments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name varchar(100) NOT NULL CHECK (name = btrim(name) AND name <> ''),
  description varchar(500),
  head_user_id uuid,
  is_active boolean NOT NULL DEFAULT true,
  created_by_id uuid,
  updated_by_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX departments_name_key ON departments (lower(name));
CREATE INDEX departments_active_name_idx ON departments (is_active, lower(name));

CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email varchar(254) NOT NULL CHECK (email = lower(btrim(email))),
  full_name varchar(255) NOT NULL CHECK (btrim(full_name) <> ''),
  phone varchar(32),
  password_hash varchar(255),
  password_changed_at timestamptz,
  role user_role NOT NULL,
  status user_status NOT NULL DEFAULT 'invited',
  status_reason varchar(500),
  status_changed_at timestamptz,
  manager_id uuid REFERENCES users (id) ON DELETE RESTRICT,
  department_id uuid REFERENCES departments (id) ON DELETE RESTRICT,
  shift_id uuid,
  designation varchar(255),
  avatar_url varchar(2048),
  created_by_id uuid REFERENCES users (id) ON DELETE RESTRICT,
  last_login_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT users_manager_not_self CHECK (manager_id IS NULL OR manager_id <> id),
  CONSTRAINT users_invited_without_password CHECK (status <> 'active' OR password_hash IS NOT NULL)
);
CREATE UNIQUE INDEX users_email_key ON users (email);
CREATE INDEX users_manager_idx ON users (manager_id);
CREATE INDEX users_department_idx ON users (department_id);
CREATE INDEX users_shift_idx ON users (shift_id);
CREATE INDEX users_role_status_idx ON users (role, status);
CREATE INDEX users_full_name_idx ON users (lower(full_name), id);

ALTER TABLE departments
  ADD CONSTRAINT departments_head_user_fk FOREIGN KEY (head_user_id) REFERENCES users (id) ON DELETE RESTRICT,
  ADD CONSTRAINT departments_created_by_fk FOREIGN KEY (created_by_id) REFERENCES users (id) ON DELETE RESTRICT,
  ADD CONSTRAINT departments_updated_by_fk FOREIGN KEY (updated_by_id) REFERENCES users (id) ON DELETE RESTRICT;

-- Sessions: one row per login ("token family"); its id is the access token's `sid`.
CREATE TABLE auth_sessions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_refreshed_at timestamptz,
  absolute_expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  revoke_reason varchar(32) CHECK (revoke_reason IN ('logout', 'logout_all', 'password_reset', 'password_changed', 'status_changed', 'reuse_detected', 'expired')),
  user_agent varchar(512),
  ip_address varchar(64),
  CONSTRAINT auth_sessions_revocation_complete CHECK ((revoked_at IS NULL) = (revoke_reason IS NULL))
);
CREATE INDEX auth_sessions_user_idx ON auth_sessions (user_id) WHERE revoked_at IS NULL;
CREATE INDEX auth_sessions_expiry_idx ON auth_sessions (absolute_expires_at);

CREATE TABLE refresh_tokens (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  session_id uuid NOT NULL REFERENCES auth_sessions (id) ON DELETE CASCADE,
  token_hash char(64) NOT NULL,
  issued_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  replaced_by_id uuid REFERENCES refresh_tokens (id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX refresh_tokens_hash_key ON refresh_tokens (token_hash);
CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id);
-- One live token per session.
CREATE UNIQUE INDEX refresh_tokens_one_live_per_session ON refresh_tokens (session_id) WHERE used_at IS NULL;

CREATE TABLE password_reset_tokens (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
  token_hash char(64) NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  invalidated_at timestamptz,
  requested_ip varchar(64),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX password_reset_tokens_hash_key ON password_reset_tokens (token_hash);
CREATE INDEX password_reset_tokens_user_idx ON password_reset_tokens (user_id);

CREATE TABLE account_invitations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
  token_hash char(64) NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  invalidated_at timestamptz,
  created_by_id uuid REFERENCES users (id) ON DELETE RESTRICT,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX account_invitations_hash_key ON account_invitations (token_hash);
CREATE INDEX account_invitations_user_idx ON account_invitations (user_id);

-- Fixed-window counters shared by every instance (01 §2.5, §4.6).
CREATE TABLE auth_rate_limits (
  scope varchar(32) NOT NULL,
  key_hash char(64) NOT NULL,
  counter integer NOT NULL DEFAULT 0 CHECK (counter >= 0),
  window_started_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (scope, key_hash)
);
CREATE INDEX auth_rate_limits_updated_idx ON auth_rate_limits (updated_at);

-- Permissions: catalogue and matrix are code-owned and re-synced exactly at startup.
CREATE TABLE permissions (
  key varchar(100) PRIMARY KEY,
  description varchar(255) NOT NULL,
  category varchar(50) NOT NULL
);
CREATE TABLE role_permissions (
  role user_role NOT NULL,
  permission_key varchar(100) NOT NULL REFERENCES permissions (key) ON DELETE CASCADE,
  PRIMARY KEY (role, permission_key)
);
CREATE TABLE user_permission_overrides (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
  permission_key varchar(100) NOT NULL REFERENCES permissions (key) ON DELETE CASCADE,
  granted boolean NOT NULL,
  created_by_id uuid REFERENCES users (id) ON DELETE RESTRICT,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT user_permission_overrides_user_key UNIQUE (user_id, permission_key)
);
CREATE INDEX user_permission_overrides_user_idx ON user_permission_overrides (user_id);

-- Email outbox (05 §7): written with the change, delivered after commit by the email job.
CREATE TYPE email_status AS ENUM ('pending', 'sent', 'failed', 'disabled');
CREATE TABLE email_outbox (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  template varchar(64) NOT NULL,
  to_email varchar(254) NOT NULL,
  subject varchar(255) NOT NULL,
  text_body text NOT NULL,
  html_body text NOT NULL,
  status email_status NOT NULL DEFAULT 'pending',
  attempts smallint NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error varchar(500),
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz
);
CREATE INDEX email_outbox_due_idx ON email_outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX email_outbox_created_idx ON email_outbox (created_at);

-- Realtime outbox (04 §2.5): NOTIFY is delivered only on commit, so events never run ahead of the data.
CREATE TYPE realtime_audience AS ENUM ('user', 'users', 'org');
CREATE TABLE realtime_outbox (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT now(),
  audience_kind realtime_audience NOT NULL,
  audience_user_ids uuid[] NOT NULL DEFAULT '{}',
  event jsonb NOT NULL
);
CREATE INDEX realtime_outbox_created_idx ON realtime_outbox (created_at);
CREATE FUNCTION realtime_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('realtime', NEW.seq::text);
  RETURN NULL;
END $$;
CREATE TRIGGER realtime_outbox_notify AFTER INSERT ON realtime_outbox FOR EACH ROW EXECUTE FUNCTION realtime_outbox_notify();

CREATE TABLE ws_tickets (
  ticket_hash bytea PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
  session_id uuid NOT NULL REFERENCES auth_sessions (id) ON DELETE CASCADE,
  issued_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  consumed_at timestamptz,
  consumed_by_instance varchar(64)
);
CREATE INDEX ws_tickets_expiry_idx ON ws_tickets (expires_at);

-- Audit log (04 §2.4): append-only, hash-chained, protected by triggers that bind every role.
CREATE TYPE audit_outcome AS ENUM ('success', 'denied', 'failed');
CREATE TABLE audit_chain_head (
  id smallint PRIMARY KEY CHECK (id = 1),
  last_seq bigint NOT NULL,
  last_hash bytea NOT NULL
);
INSERT INTO audit_chain_head (id, last_seq, last_hash) VALUES (1, 0, decode(repeat('00', 32), 'hex'));

CREATE TABLE audit_logs (
  seq bigint PRIMARY KEY,
  id uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,
  occurred_at timestamptz NOT NULL DEFAULT now(),
  actor_user_id uuid REFERENCES users (id) ON DELETE RESTRICT,
  actor_name varchar(255),
  actor_role varchar(32),
  action varchar(100) NOT NULL CHECK (action ~ '^[a-z_]+(\.[a-z_]+)+$'),
  entity_type varchar(64) NOT NULL,
  entity_id uuid,
  entity_label varchar(255),
  outcome audit_outcome NOT NULL,
  before jsonb,
  after jsonb,
  metadata jsonb NOT NULL DEFAULT '{}',
  prev_hash bytea NOT NULL CHECK (octet_length(prev_hash) = 32),
  hash bytea NOT NULL UNIQUE CHECK (octet_length(hash) = 32)
);
CREATE INDEX audit_logs_actor_idx ON audit_logs (actor_user_id, seq DESC);
CREATE INDEX audit_logs_entity_idx ON audit_logs (entity_type, entity_id, seq DESC);
CREATE INDEX audit_logs_action_idx ON audit_logs (action, seq DESC);
CREATE INDEX audit_logs_occurred_idx ON audit_logs (occurred_at);

-- The canonical hash of one row; the chain trigger and the verify endpoint both use it.
CREATE FUNCTION audit_row_hash(
  p_prev_hash bytea, p_seq bigint, p_occurred_at timestamptz, p_actor_user_id uuid, p_action text,
  p_entity_type text, p_entity_id uuid, p_outcome audit_outcome, p_before jsonb, p_after jsonb, p_metadata jsonb
) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
  SELECT sha256(p_prev_hash || convert_to(
    p_seq::text || '|' ||
    to_char(p_occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || '|' ||
    coalesce(p_actor_user_id::text, '') || '|' || p_action || '|' || p_entity_type || '|' ||
    coalesce(p_entity_id::text, '') || '|' || p_outcome::text || '|' ||
    coalesce(p_before::text, '') || '|' || coalesce(p_after::text, '') || '|' || p_metadata::text,
    'UTF8'))
$$;

CREATE FUNCTION audit_chain() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  head audit_chain_head%ROWTYPE;
BEGIN
  SELECT * INTO head FROM audit_chain_head WHERE id = 1 FOR UPDATE;
  NEW.occurred_at := date_trunc('milliseconds', NEW.occurred_at);
  NEW.seq := head.last_seq + 1;
  NEW.prev_hash := head.last_hash;
  NEW.hash := audit_row_hash(NEW.prev_hash, NEW.seq, NEW.occurred_at, NEW.actor_user_id, NEW.action, NEW.entity_type,
                             NEW.entity_id, NEW.outcome, NEW.before, NEW.after, NEW.metadata);
  PERFORM set_config('audit.chain_writer', 'on', true);
  UPDATE audit_chain_head SET last_seq = NEW.seq, last_hash = NEW.hash WHERE id = 1;
  PERFORM set_config('audit.chain_writer', 'off', true);
  RETURN NEW;
END $$;
CREATE TRIGGER audit_logs_chain BEFORE INSERT ON audit_logs FOR EACH ROW EXECUTE FUNCTION audit_chain();

CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'audit_chain_head' AND TG_OP = 'UPDATE' AND current_setting('audit.chain_writer', true) = 'on' THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = '42501';
END $$;
CREATE TRIGGER audit_logs_append_only BEFORE UPDATE OR DELETE ON audit_logs FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_logs_no_truncate BEFORE TRUNCATE ON audit_logs FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_chain_head_guard BEFORE UPDATE OR DELETE ON audit_chain_head FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_chain_head_no_truncate BEFORE TRUNCATE ON audit_chain_head FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'workforce_app') THEN
    GRANT SELECT, INSERT, UPDATE, DELETE ON departments, users, auth_sessions, refresh_tokens, password_reset_tokens,
      account_invitations, auth_rate_limits, permissions, role_permissions, user_permission_overrides, email_outbox,
      realtime_outbox, ws_tickets TO workforce_app;
    GRANT SELECT, INSERT ON audit_logs TO workforce_app;
    REVOKE ALL ON audit_chain_head FROM workforce_app;
  END IF;
END $$;
REVOKE UPDATE, DELETE, TRUNCATE ON audit_logs FROM PUBLIC;
