-- Hot-path operations as functions, so each is one round trip from the operator.

-- Registers a worker (if new) and gives it an agent on one launched unit of the run, or
-- returns the agent it already has for the same registration id (a page reload).
-- outcome: assigned | reconnection | no_available_units | agent_missing | unknown_run
CREATE FUNCTION throng_register_agent(p_task_run_id bigint, p_worker_name text,
                                      p_provider_type text, p_registration_id text)
RETURNS TABLE (outcome text, worker_id bigint, agent_id bigint, unit_id bigint, init_data jsonb)
LANGUAGE plpgsql AS $$
DECLARE
  v_run        task_runs%ROWTYPE;
  v_worker     bigint;
  v_agent      agents%ROWTYPE;
  v_unit       units%ROWTYPE;
  v_count      bigint;
  v_agent_id   bigint;
  v_init       jsonb;
BEGIN
  SELECT * INTO v_run FROM task_runs r WHERE r.task_run_id = p_task_run_id;
  IF NOT FOUND OR v_run.is_completed THEN
    RETURN QUERY SELECT 'unknown_run'::text, NULL::bigint, NULL::bigint, NULL::bigint, NULL::jsonb;
    RETURN;
  END IF;

  INSERT INTO workers (worker_name, provider_type) VALUES (p_worker_name, p_provider_type)
    ON CONFLICT (worker_name) DO NOTHING;
  SELECT w.worker_id INTO v_worker FROM workers w WHERE w.worker_name = p_worker_name;

  -- Serialise registrations of one worker in one run: reconnect checks and limits below must
  -- see each other's effects (two tabs of one worker must not both get a unit).
  PERFORM pg_advisory_xact_lock(hashtextextended(p_task_run_id::text || ':' || v_worker::text, 0));

  IF p_registration_id <> '' THEN
    SELECT a.* INTO v_agent FROM agents a
     WHERE a.task_run_id = p_task_run_id AND a.registration_id = p_registration_id
       AND a.worker_id = v_worker
     ORDER BY a.agent_id DESC LIMIT 1;
    IF FOUND THEN
      IF v_agent.status IN ('none', 'accepted', 'onboarding', 'waiting', 'in task') THEN
        RETURN QUERY SELECT 'reconnection'::text, v_worker, v_agent.agent_id, v_agent.unit_id,
                            (SELECT d.init_data FROM agent_data d WHERE d.agent_id = v_agent.agent_id);
      ELSE
        RETURN QUERY SELECT 'agent_missing'::text, v_worker, NULL::bigint, NULL::bigint, NULL::jsonb;
      END IF;
      RETURN;
    END IF;
  END IF;

  IF v_run.allowed_concurrent > 0 THEN
    SELECT count(*) INTO v_count FROM units u
     WHERE u.task_run_id = p_task_run_id AND u.worker_id = v_worker AND u.status = 'assigned';
    IF v_count >= v_run.allowed_concurrent THEN
      RETURN QUERY SELECT 'no_available_units'::text, v_worker, NULL::bigint, NULL::bigint, NULL::jsonb;
      RETURN;
    END IF;
  END IF;

  IF v_run.maximum_units_per_worker > 0 THEN
    SELECT count(*) INTO v_count FROM units u
     WHERE u.task_id = v_run.task_id AND u.worker_id = v_worker
       AND (u.status IN ('completed', 'accepted', 'rejected', 'soft_rejected')
            OR (u.status = 'assigned' AND u.task_run_id = p_task_run_id));
    IF v_count >= v_run.maximum_units_per_worker THEN
      RETURN QUERY SELECT 'no_available_units'::text, v_worker, NULL::bigint, NULL::bigint, NULL::jsonb;
      RETURN;
    END IF;
  END IF;

  -- Reserve one unit; concurrent registrations skip rows another transaction holds.
  SELECT u.* INTO v_unit FROM units u
   WHERE u.task_run_id = p_task_run_id AND u.status = 'launched' AND u.unit_index >= 0
     AND NOT EXISTS (SELECT 1 FROM units o
                      WHERE o.assignment_id = u.assignment_id AND o.worker_id = v_worker)
   ORDER BY u.unit_id
   LIMIT 1
   FOR UPDATE SKIP LOCKED;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'no_available_units'::text, v_worker, NULL::bigint, NULL::bigint, NULL::jsonb;
    RETURN;
  END IF;

  INSERT INTO agents (worker_id, unit_id, task_id, task_run_id, assignment_id, task_type,
                      provider_type, status, registration_id)
  VALUES (v_worker, v_unit.unit_id, v_unit.task_id, p_task_run_id, v_unit.assignment_id,
          v_unit.task_type, p_provider_type, 'accepted', p_registration_id)
  RETURNING agents.agent_id INTO v_agent_id;

  UPDATE units SET status = 'assigned', agent_id = v_agent_id, worker_id = v_worker
   WHERE units.unit_id = v_unit.unit_id;

  SELECT COALESCE(a.assignment_data -> 'units' -> v_unit.unit_index, a.assignment_data -> 'shared', '{}'::jsonb)
    INTO v_init FROM assignments a WHERE a.assignment_id = v_unit.assignment_id;
  INSERT INTO agent_data (agent_id, init_data) VALUES (v_agent_id, v_init);

  RETURN QUERY SELECT 'assigned'::text, v_worker, v_agent_id, v_unit.unit_id, v_init;
END;
$$;

-- Stores a final submission and completes the agent and its unit, atomically.
-- outcome: completed | already_submitted | unknown_agent | not_active
CREATE FUNCTION throng_submit_unit(p_agent_id bigint, p_submission jsonb)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v_agent agents%ROWTYPE;
BEGIN
  SELECT * INTO v_agent FROM agents a WHERE a.agent_id = p_agent_id FOR UPDATE;
  IF NOT FOUND THEN
    RETURN 'unknown_agent';
  END IF;
  IF v_agent.status = 'completed' THEN
    RETURN 'already_submitted';
  END IF;
  IF v_agent.status NOT IN ('accepted', 'in task', 'waiting') THEN
    RETURN 'not_active';
  END IF;
  UPDATE agents SET status = 'completed', update_date = now() WHERE agent_id = p_agent_id;
  INSERT INTO agent_data (agent_id, submission, submitted_at)
  VALUES (p_agent_id, p_submission, now())
  ON CONFLICT (agent_id) DO UPDATE SET submission = EXCLUDED.submission,
                                       submitted_at = EXCLUDED.submitted_at;
  UPDATE units SET status = 'completed' WHERE unit_id = v_agent.unit_id AND status = 'assigned';
  RETURN 'completed';
END;
$$;

-- Moves created units to launched, keeping launched + assigned under the run's
-- max_num_concurrent_units (0 = no cap). Returns how many were launched.
CREATE FUNCTION throng_launch_units(p_task_run_id bigint)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  v_cap    integer;
  v_active bigint;
  v_room   bigint;
  v_count  integer;
BEGIN
  SELECT r.max_num_concurrent_units INTO v_cap FROM task_runs r
   WHERE r.task_run_id = p_task_run_id AND NOT r.is_completed FOR UPDATE;
  IF NOT FOUND THEN
    RETURN 0;
  END IF;
  IF v_cap = 0 THEN
    v_room := NULL;
  ELSE
    SELECT count(*) INTO v_active FROM units u
     WHERE u.task_run_id = p_task_run_id AND u.status IN ('launched', 'assigned');
    v_room := GREATEST(v_cap - v_active, 0);
  END IF;
  WITH picked AS (
    SELECT u.unit_id FROM units u
     WHERE u.task_run_id = p_task_run_id AND u.status = 'created'
     ORDER BY u.unit_id LIMIT v_room
     FOR UPDATE SKIP LOCKED)
  UPDATE units SET status = 'launched' FROM picked WHERE units.unit_id = picked.unit_id;
  GET DIAGNOSTICS v_count = ROW_COUNT;
  RETURN v_count;
END;
$$;

-- Frees units whose agent ran past assignment_duration_seconds without submitting
-- (the agent becomes 'timeout', the unit is offered again). Returns how many.
CREATE FUNCTION throng_expire_overdue_agents()
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  v_count integer;
BEGIN
  WITH overdue AS (
    UPDATE agents a SET status = 'timeout', update_date = now()
      FROM task_runs r
     WHERE a.task_run_id = r.task_run_id AND NOT r.is_completed
       AND a.status IN ('accepted', 'in task')
       AND a.creation_date < now() - make_interval(secs => r.assignment_duration_seconds)
    RETURNING a.unit_id, a.agent_id)
  UPDATE units u SET status = 'launched', agent_id = NULL, worker_id = NULL
    FROM overdue o
   WHERE u.unit_id = o.unit_id AND u.agent_id = o.agent_id AND u.status = 'assigned';
  GET DIAGNOSTICS v_count = ROW_COUNT;
  RETURN v_count;
END;
$$;

-- Marks runs complete once no unit is waiting for work. Returns the run ids it completed.
CREATE FUNCTION throng_complete_finished_runs()
RETURNS SETOF bigint
LANGUAGE sql AS $$
  UPDATE task_runs r SET is_completed = true
   WHERE NOT r.is_completed
     AND EXISTS (SELECT 1 FROM units u WHERE u.task_run_id = r.task_run_id)
     AND NOT EXISTS (SELECT 1 FROM units u WHERE u.task_run_id = r.task_run_id
                       AND u.status IN ('created', 'launched', 'assigned'))
  RETURNING r.task_run_id;
$$;
