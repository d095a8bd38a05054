-- Limits a requester can change while a run is live, and the timeouts that end stalled work.

ALTER TABLE task_runs
  ADD COLUMN submission_timeout_seconds integer NOT NULL DEFAULT 600
    CHECK (submission_timeout_seconds > 0),
  ADD COLUMN no_submission_patience_seconds integer NOT NULL DEFAULT 43200
    CHECK (no_submission_patience_seconds > 0);

-- Every change made to a live run's settings (`throng set`), for the record.
CREATE TABLE task_run_setting_changes (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  task_run_id bigint NOT NULL REFERENCES task_runs,
  setting     text NOT NULL,
  old_value   text NOT NULL,
  new_value   text NOT NULL,
  changed_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX task_run_setting_changes_run ON task_run_setting_changes (task_run_id, id);

-- The timeout sweep runs every second: it only looks at agents that are still working.
CREATE INDEX agents_working ON agents (creation_date)
  WHERE status IN ('accepted', 'waiting', 'in task', 'partner disconnect');

-- A lowered max_num_concurrent_units: launched units nobody holds go back to 'created' (newest
-- first) until launched + assigned fit under the cap. Assigned units are never taken from the
-- worker holding them. Returns how many were withdrawn.
CREATE FUNCTION throng_withdraw_excess_units(p_task_run_id bigint)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  v_cap    integer;
  v_excess bigint;
  v_count  integer;
BEGIN
  SELECT r.max_num_concurrent_units INTO v_cap FROM task_runs r
   WHERE r.task_run_id = p_task_run_id AND NOT r.is_completed;
  IF NOT FOUND OR v_cap = 0 THEN
    RETURN 0;
  END IF;
  SELECT count(*) - v_cap INTO v_excess FROM units u
   WHERE u.task_run_id = p_task_run_id AND u.status IN ('launched', 'assigned');
  IF v_excess <= 0 THEN
    RETURN 0;
  END IF;
  WITH picked AS (
    SELECT u.unit_id FROM units u
     WHERE u.task_run_id = p_task_run_id AND u.status = 'launched' AND u.unit_index >= 0
     ORDER BY u.unit_id DESC LIMIT v_excess
     FOR UPDATE SKIP LOCKED)
  UPDATE units SET status = 'created' FROM picked WHERE units.unit_id = picked.unit_id;
  GET DIAGNOSTICS v_count = ROW_COUNT;
  RETURN v_count;
END;
$$;

-- Ends work that stalled, by reason:
--  assignment_duration: an agent still working (accepted, waiting, in task) after the run's
--    assignment_duration_in_seconds. A static unit, or a live one still in the waiting room, is
--    offered again; a chat already under way cannot be resumed by someone else, so its unit
--    expires.
--  submission_timeout: an agent whose chat partner left ('partner disconnect') may still submit
--    for submission_timeout seconds; after that its unit expires (half a pair cannot be redone).
CREATE FUNCTION throng_time_out_agents()
RETURNS TABLE (reason text, agents integer)
LANGUAGE plpgsql AS $$
DECLARE
  v_count integer;
BEGIN
  WITH due AS (
    SELECT a.agent_id, a.unit_id, a.status AS was FROM agents a
      JOIN task_runs r ON r.task_run_id = a.task_run_id
     WHERE NOT r.is_completed AND a.status IN ('accepted', 'waiting', 'in task')
       AND a.creation_date < now() - make_interval(secs => r.assignment_duration_seconds)
       FOR UPDATE OF a SKIP LOCKED),
  timed_out AS (
    UPDATE agents a SET status = 'timeout', update_date = now()
      FROM due WHERE a.agent_id = due.agent_id
    RETURNING a.agent_id, a.unit_id, due.was)
  UPDATE units u
     SET status = CASE WHEN t.was = 'in task' THEN 'expired' ELSE 'launched' END,
         agent_id = CASE WHEN t.was = 'in task' THEN u.agent_id END,
         worker_id = CASE WHEN t.was = 'in task' THEN u.worker_id END
    FROM timed_out t
   WHERE u.unit_id = t.unit_id AND u.agent_id = t.agent_id AND u.status = 'assigned';
  GET DIAGNOSTICS v_count = ROW_COUNT;
  reason := 'assignment_duration';
  agents := v_count;
  RETURN NEXT;

  WITH due AS (
    SELECT a.agent_id, a.unit_id FROM agents a
      JOIN task_runs r ON r.task_run_id = a.task_run_id
     WHERE NOT r.is_completed AND a.status = 'partner disconnect'
       AND a.update_date < now() - make_interval(secs => r.submission_timeout_seconds)
       FOR UPDATE OF a SKIP LOCKED),
  timed_out AS (
    UPDATE agents a SET status = 'timeout', update_date = now()
      FROM due WHERE a.agent_id = due.agent_id
    RETURNING a.agent_id, a.unit_id)
  UPDATE units u SET status = 'expired'
    FROM timed_out t
   WHERE u.unit_id = t.unit_id AND u.agent_id = t.agent_id AND u.status = 'assigned';
  GET DIAGNOSTICS v_count = ROW_COUNT;
  reason := 'submission_timeout';
  agents := v_count;
  RETURN NEXT;
END;
$$;
DROP FUNCTION throng_expire_overdue_agents();

-- A run that received no submission for no_submission_patience seconds is presumed broken
-- (Mephisto shuts it down): its units nobody holds expire, agents at work may still submit, and
-- the run completes when they are done. Returns how many units expired.
CREATE FUNCTION throng_shut_down_run(p_task_run_id bigint)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  v_count integer;
BEGIN
  UPDATE units u SET status = 'expired'
   WHERE u.task_run_id = p_task_run_id AND u.status IN ('created', 'launched');
  GET DIAGNOSTICS v_count = ROW_COUNT;
  RETURN v_count;
END;
$$;

-- A submission also says which run it belongs to and how long the agent worked on its unit
-- (the unit completion time), so the operator measures both without another round trip.
CREATE FUNCTION throng_submit_and_time_unit(p_agent_id bigint, p_submission jsonb)
RETURNS TABLE (outcome text, task_run_id bigint, seconds_worked double precision)
LANGUAGE plpgsql AS $$
BEGIN
  outcome := throng_submit_and_validate_unit(p_agent_id, p_submission);
  -- A new statement: it sees the submission just stored.
  SELECT a.task_run_id,
         CASE WHEN outcome = 'completed'
              THEN extract(epoch FROM (d.submitted_at - a.creation_date))::double precision END
    INTO task_run_id, seconds_worked
    FROM agents a LEFT JOIN agent_data d ON d.agent_id = a.agent_id
   WHERE a.agent_id = p_agent_id;
  RETURN NEXT;
END;
$$;
