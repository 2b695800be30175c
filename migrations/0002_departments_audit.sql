-- Departments and the audit log API (04 §2.1, §2.4, §3.4, §3.7).
--
-- The application role has no rights on audit_chain_head (04 §2.4 item 1), yet chain verification and the daily
-- anchor job must read the head. This read-only SECURITY DEFINER function is the one way to do that: it returns
-- the head's last seq and hash and can change nothing.
CREATE FUNCTION audit_chain_head_state(OUT last_seq bigint, OUT last_hash bytea)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT h.last_seq, h.last_hash FROM audit_chain_head h WHERE h.id = 1
$$;

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'workforce_app') THEN
    GRANT EXECUTE ON FUNCTION audit_chain_head_state() TO workforce_app;
  END IF;
END $$;
