-- Attendance, shifts and holidays (spec 02 §2). Every invariant the spec names lives here: one active session,
-- one open break, one open correction, one exception per (user, work date, type), one default shift, one active
-- holiday per date; CHECKs on every enum and every ordering of instants.

CREATE FUNCTION array_has_no_duplicates(a anyarray) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
  SELECT cardinality(a) = (SELECT count(DISTINCT x) FROM unnest(a) AS x)
$$;

CREATE TABLE shifts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name varchar(100) NOT NULL CHECK (name = btrim(name) AND name <> ''),
  description varchar(255),
  start_time time(0) NOT NULL,
  end_time time(0) NOT NULL,
  timezone varchar(64) NOT NULL,
  grace_period_minutes smallint NOT NULL DEFAULT 15 CHECK (grace_period_minutes BETWEEN 0 AND 120),
  working_days smallint[] NOT NULL DEFAULT '{1,2,3,4,5}',
  is_active boolean NOT NULL DEFAULT true,
  is_default boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT shifts_start_differs_from_end CHECK (start_time <> end_time),
  CONSTRAINT shifts_minute_precision CHECK (date_trunc('minute', start_time) = start_time AND date_trunc('minute', end_time) = end_time),
  CONSTRAINT shifts_working_days_valid CHECK (
    cardinality(working_days) BETWEEN 1 AND 7
    AND working_days <@ ARRAY[1,2,3,4,5,6,7]::smallint[]
    AND array_has_no_duplicates(working_days)),
  CONSTRAINT shifts_default_is_active CHECK (NOT is_default OR is_active)
);
CREATE UNIQUE INDEX shifts_name_key ON shifts (lower(name));
CREATE UNIQUE INDEX shifts_one_default ON shifts (is_default) WHERE is_default;

ALTER TABLE users ADD CONSTRAINT users_shift_fk FOREIGN KEY (shift_id) REFERENCES shifts (id) ON DELETE RESTRICT;

CREATE TABLE holidays (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name varchar(100) NOT NULL CHECK (name = btrim(name) AND name <> ''),
  description varchar(255),
  holiday_date date NOT NULL CHECK (holiday_date BETWEEN DATE '2000-01-01' AND DATE '2100-12-31'),
  is_active boolean NOT NULL DEFAULT true,
  created_by_id uuid REFERENCES users (id) ON DELETE RESTRICT,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX holidays_one_active_per_date ON holidays (holiday_date) WHERE is_active;
CREATE INDEX holidays_date_idx ON holidays (holiday_date, id);

CREATE TABLE attendance_sessions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
  work_date date NOT NULL,
  check_in_at timestamptz NOT NULL,
  check_out_at timestamptz,
  work_mode varchar(8) NOT NULL CHECK (work_mode IN ('office', 'wfh')),
  wfh_approved boolean,
  status varchar(12) NOT NULL CHECK (status IN ('active', 'completed', 'incomplete', 'corrected')),
  shift_id uuid REFERENCES shifts (id) ON DELETE RESTRICT,
  is_scheduled_day boolean NOT NULL,
  expected_shift_start_at timestamptz,
  expected_shift_end_at timestamptz,
  is_late boolean NOT NULL DEFAULT false,
  late_minutes integer NOT NULL DEFAULT 0 CHECK (late_minutes >= 0),
  is_early_checkout boolean NOT NULL DEFAULT false,
  early_checkout_minutes integer NOT NULL DEFAULT 0 CHECK (early_checkout_minutes >= 0),
  early_checkout_reason varchar(1000),
  after_shift_reason varchar(16) CHECK (after_shift_reason IN ('overtime', 'forgot_checkout')),
  after_shift_note varchar(1000),
  after_shift_minutes integer NOT NULL DEFAULT 0 CHECK (after_shift_minutes >= 0),
  is_overtime boolean NOT NULL DEFAULT false,
  auto_closed_reason varchar(20) CHECK (auto_closed_reason IN ('max_duration', 'shift_ended', 'account_suspended')),
  gross_seconds integer CHECK (gross_seconds >= 0),
  worked_seconds integer CHECK (worked_seconds >= 0),
  break_seconds integer NOT NULL DEFAULT 0 CHECK (break_seconds >= 0),
  unpaid_break_seconds integer NOT NULL DEFAULT 0 CHECK (unpaid_break_seconds >= 0),
  dinner_break_seconds integer NOT NULL DEFAULT 0 CHECK (dinner_break_seconds >= 0),
  prayer_break_seconds integer NOT NULL DEFAULT 0 CHECK (prayer_break_seconds >= 0),
  other_break_seconds integer NOT NULL DEFAULT 0 CHECK (other_break_seconds >= 0),
  classification varchar(12) NOT NULL CHECK (classification IN ('active', 'full_day', 'short_leave', 'half_day', 'full_leave')),
  is_corrected boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT attendance_sessions_checkout_after_checkin CHECK (check_out_at IS NULL OR check_out_at >= check_in_at),
  CONSTRAINT attendance_sessions_active_iff_open CHECK ((status = 'active') = (check_out_at IS NULL)),
  CONSTRAINT attendance_sessions_classification_active CHECK ((status = 'active') = (classification = 'active')),
  CONSTRAINT attendance_sessions_window_iff_scheduled CHECK (
    is_scheduled_day = (expected_shift_start_at IS NOT NULL) AND is_scheduled_day = (expected_shift_end_at IS NOT NULL)),
  CONSTRAINT attendance_sessions_wfh_flag CHECK ((work_mode = 'office') = (wfh_approved IS NULL))
);
CREATE UNIQUE INDEX uq_attendance_one_active_session_per_user ON attendance_sessions (user_id) WHERE status = 'active';
CREATE INDEX ix_attendance_sessions_user_work_date ON attendance_sessions (user_id, work_date, check_in_at);
CREATE INDEX ix_attendance_sessions_work_date ON attendance_sessions (work_date);
CREATE INDEX ix_attendance_sessions_active ON attendance_sessions (status) WHERE status = 'active';

CREATE TABLE attendance_breaks (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  session_id uuid NOT NULL REFERENCES attendance_sessions (id) ON DELETE RESTRICT,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
  break_type varchar(8) NOT NULL CHECK (break_type IN ('dinner', 'prayer', 'other')),
  note varchar(500),
  is_paid boolean NOT NULL,
  started_at timestamptz NOT NULL,
  ended_at timestamptz,
  duration_seconds integer CHECK (duration_seconds >= 0),
  end_reason varchar(12) CHECK (end_reason IN ('manual', 'check_out', 'auto_close')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT attendance_breaks_end_after_start CHECK (ended_at IS NULL OR ended_at >= started_at),
  CONSTRAINT attendance_breaks_closed_complete CHECK ((ended_at IS NULL) = (duration_seconds IS NULL) AND (ended_at IS NULL) = (end_reason IS NULL)),
  CONSTRAINT attendance_breaks_other_has_note CHECK (break_type <> 'other' OR (note IS NOT NULL AND btrim(note) <> ''))
);
CREATE UNIQUE INDEX uq_attendance_one_open_break_per_user ON attendance_breaks (user_id) WHERE ended_at IS NULL;
CREATE INDEX ix_attendance_breaks_session ON attendance_breaks (session_id, started_at);

CREATE TABLE attendance_corrections (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  session_id uuid NOT NULL REFERENCES attendance_sessions (id) ON DELETE RESTRICT,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
  requested_by_id uuid NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
  original_check_in_at timestamptz NOT NULL,
  original_check_out_at timestamptz,
  requested_check_in_at timestamptz,
  requested_check_out_at timestamptz,
  reason varchar(1000) NOT NULL,
  status varchar(20) NOT NULL CHECK (status IN ('pending', 'needs_clarification', 'approved', 'rejected', 'cancelled')),
  reviewer_id uuid REFERENCES users (id) ON DELETE RESTRICT,
  reviewer_comment varchar(1000),
  resolved_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT attendance_corrections_something_requested CHECK (requested_check_in_at IS NOT NULL OR requested_check_out_at IS NOT NULL),
  CONSTRAINT attendance_corrections_resolved_iff_terminal CHECK ((resolved_at IS NOT NULL) = (status IN ('approved', 'rejected', 'cancelled')))
);
CREATE UNIQUE INDEX uq_attendance_one_open_correction_per_session ON attendance_corrections (session_id)
  WHERE status IN ('pending', 'needs_clarification');
CREATE INDEX ix_attendance_corrections_user_status ON attendance_corrections (user_id, status);
CREATE INDEX ix_attendance_corrections_status_created ON attendance_corrections (status, created_at);
CREATE INDEX ix_attendance_corrections_requested_by ON attendance_corrections (requested_by_id);

CREATE TABLE attendance_exceptions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
  work_date date NOT NULL,
  type varchar(24) NOT NULL CHECK (type IN ('late', 'early', 'overtime', 'missing_checkout', 'absent', 'correction_request')),
  severity varchar(8) NOT NULL CHECK (severity IN ('low', 'medium', 'high')),
  status varchar(12) NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved', 'dismissed')),
  session_id uuid REFERENCES attendance_sessions (id) ON DELETE RESTRICT,
  correction_id uuid REFERENCES attendance_corrections (id) ON DELETE RESTRICT,
  detected_at timestamptz NOT NULL,
  reason varchar(1000),
  resolution_note varchar(2000),
  resolved_by_id uuid REFERENCES users (id) ON DELETE RESTRICT,
  resolved_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT attendance_exceptions_one_per_day_and_type UNIQUE (user_id, work_date, type),
  CONSTRAINT attendance_exceptions_resolved_iff_closed CHECK ((status = 'open') = (resolved_at IS NULL))
);
CREATE INDEX ix_attendance_exceptions_status_type_date ON attendance_exceptions (status, type, work_date);
CREATE INDEX ix_attendance_exceptions_work_date ON attendance_exceptions (work_date, user_id);

-- Derived per (user, work date); recomputed in the same transaction as every attendance change (02 §2.7).
CREATE TABLE daily_stats (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
  work_date date NOT NULL,
  session_count integer NOT NULL DEFAULT 0 CHECK (session_count >= 0),
  worked_seconds integer NOT NULL DEFAULT 0 CHECK (worked_seconds >= 0),
  break_seconds integer NOT NULL DEFAULT 0 CHECK (break_seconds >= 0),
  first_check_in_at timestamptz,
  last_check_out_at timestamptz,
  is_late boolean NOT NULL DEFAULT false,
  is_early_checkout boolean NOT NULL DEFAULT false,
  is_overtime boolean NOT NULL DEFAULT false,
  is_wfh boolean NOT NULL DEFAULT false,
  is_absent boolean NOT NULL DEFAULT false,
  is_holiday boolean NOT NULL DEFAULT false,
  is_working_day boolean NOT NULL DEFAULT true,
  leave_type varchar(16),
  day_status varchar(12) NOT NULL CHECK (day_status IN ('scheduled', 'present', 'wfh', 'checked_out', 'on_leave', 'holiday', 'off_day', 'absent')),
  day_classification varchar(12) CHECK (day_classification IN ('full_day', 'short_leave', 'half_day', 'full_leave')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT daily_stats_user_work_date UNIQUE (user_id, work_date)
);
CREATE INDEX ix_daily_stats_work_date ON daily_stats (work_date, user_id);

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'workforce_app') THEN
    GRANT SELECT, INSERT, UPDATE, DELETE ON shifts, holidays, attendance_sessions, attendance_breaks,
      attendance_corrections, attendance_exceptions, daily_stats TO workforce_app;
  END IF;
END $$;
