-- Leaves & WFH (spec 03 §2 `leave_requests`, `approval_timeline`; §4.1–§4.3). The no-overlap rule of §4.2 lives here
-- as one exclusion constraint over half-day slots; every state rule of §4.1 that a row can express is a CHECK.

-- The half-day slots a request occupies (03 §2): day e (days since 1970-01-01) is slots [2e, 2e+2); a first half is
-- [2e, 2e+1), a second half [2e+1, 2e+2). The generated column and the service's readable pre-check both use it.
CREATE FUNCTION leave_slot_range(p_start date, p_end date, p_half_day_period text) RETURNS int4range
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT int4range(
    2 * (p_start - DATE '1970-01-01') + CASE WHEN p_half_day_period = 'second_half' THEN 1 ELSE 0 END,
    2 * (p_end - DATE '1970-01-01') + CASE WHEN p_half_day_period = 'first_half' THEN 1 ELSE 2 END,
    '[)')
$$;

CREATE TABLE leave_requests (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
  leave_type varchar(16) NOT NULL CHECK (leave_type IN ('sick', 'casual', 'annual', 'half_day', 'wfh')),
  is_half_day boolean NOT NULL DEFAULT false,
  half_day_period varchar(16) CHECK (half_day_period IN ('first_half', 'second_half')),
  start_date date NOT NULL,
  end_date date NOT NULL,
  working_days numeric(5, 1) NOT NULL CHECK (working_days > 0),
  reason varchar(1000) NOT NULL CHECK (reason = btrim(reason) AND reason <> ''),
  status varchar(24) NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'needs_clarification', 'escalated', 'approved', 'rejected', 'cancelled')),
  current_approver_id uuid REFERENCES users (id) ON DELETE RESTRICT,
  awaiting_since timestamptz NOT NULL,
  decided_by_id uuid REFERENCES users (id) ON DELETE RESTRICT,
  decided_at timestamptz,
  decision_comment varchar(1000),
  escalated_from_id uuid REFERENCES users (id) ON DELETE RESTRICT,
  escalated_at timestamptz,
  escalation_count smallint NOT NULL DEFAULT 0 CHECK (escalation_count BETWEEN 0 AND 1),
  cancelled_by_id uuid REFERENCES users (id) ON DELETE RESTRICT,
  cancelled_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  slot_range int4range GENERATED ALWAYS AS (leave_slot_range(start_date, end_date, half_day_period)) STORED,
  CONSTRAINT leave_requests_dates_ordered CHECK (end_date >= start_date),
  CONSTRAINT leave_requests_half_day_type CHECK (leave_type <> 'half_day' OR is_half_day),
  CONSTRAINT leave_requests_period_iff_half_day CHECK ((half_day_period IS NOT NULL) = is_half_day),
  CONSTRAINT leave_requests_half_day_single_date CHECK (NOT is_half_day OR end_date = start_date),
  CONSTRAINT leave_requests_half_day_units CHECK (
    CASE WHEN is_half_day THEN working_days = 0.5 ELSE working_days = trunc(working_days) END),
  CONSTRAINT leave_requests_decided_has_decider CHECK (
    status NOT IN ('approved', 'rejected') OR (decided_by_id IS NOT NULL AND decided_at IS NOT NULL)),
  CONSTRAINT leave_requests_decision_pair CHECK ((decided_by_id IS NULL) = (decided_at IS NULL)),
  CONSTRAINT leave_requests_escalation_stamped CHECK (
    (escalation_count = 1) = (escalated_at IS NOT NULL) AND (escalated_at IS NULL) = (escalated_from_id IS NULL)),
  CONSTRAINT leave_requests_escalated_pooled CHECK (status <> 'escalated' OR (escalation_count = 1 AND current_approver_id IS NULL)),
  CONSTRAINT leave_requests_cancelled_stamped CHECK (
    (status = 'cancelled') = (cancelled_at IS NOT NULL) AND (cancelled_at IS NULL) = (cancelled_by_id IS NULL)),
  CONSTRAINT leave_requests_no_overlap EXCLUDE USING gist (user_id WITH =, slot_range WITH &&)
    WHERE (status IN ('pending', 'needs_clarification', 'escalated', 'approved'))
);
CREATE INDEX ix_leave_requests_user_start ON leave_requests (user_id, start_date);
CREATE INDEX ix_leave_requests_status_approver ON leave_requests (status, current_approver_id);
CREATE INDEX ix_leave_requests_status_awaiting ON leave_requests (status, awaiting_since);

-- Append-only history of leave requests (03 §2). Never updated or deleted; the same guard as the audit log.
-- `seq` keeps insertion order for entries written at the same instant (the list is oldest first, then seq, then id).
CREATE TABLE approval_timeline (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  entity_type varchar(32) NOT NULL CHECK (entity_type IN ('leave_request')),
  entity_id uuid NOT NULL,
  actor_id uuid REFERENCES users (id) ON DELETE RESTRICT,
  action varchar(16) NOT NULL CHECK (action IN ('created', 'amended', 'clarified', 'approved', 'rejected', 'escalated', 'cancelled')),
  comment varchar(1000),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ix_approval_timeline_entity ON approval_timeline (entity_type, entity_id, created_at, seq);

CREATE FUNCTION approval_timeline_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = '42501';
END $$;
CREATE TRIGGER approval_timeline_append_only BEFORE UPDATE OR DELETE ON approval_timeline
  FOR EACH ROW EXECUTE FUNCTION approval_timeline_refuse_change();
CREATE TRIGGER approval_timeline_no_truncate BEFORE TRUNCATE ON approval_timeline
  FOR EACH STATEMENT EXECUTE FUNCTION approval_timeline_refuse_change();

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'workforce_app') THEN
    GRANT SELECT, INSERT, UPDATE, DELETE ON leave_requests TO workforce_app;
    GRANT SELECT, INSERT ON approval_timeline TO workforce_app;
  END IF;
END $$;
