-- Who may work on a run, and on what (SPEC O3), as Mephisto's worker pool decides it:
-- qualification requirements with Mephisto's comparators, a block qualification, onboarding,
-- screening units and gold units, each checked against an answer key from the task config.
-- All of it happens inside the one registration (or submission) call.

-- A run's requirements, including the ones Mephisto appends itself (block_qualification and
-- <onboarding_qualification>-failed, both DoesNotExist). Stored, so a restart keeps them.
CREATE TABLE task_run_qualifications (
  task_run_id      bigint NOT NULL REFERENCES task_runs,
  position         integer NOT NULL,
  qualification_id bigint NOT NULL REFERENCES qualifications,
  -- Mephisto's comparator names (mephisto/data_model/qualification.py).
  comparator       text NOT NULL CHECK (comparator IN ('GreaterThan', 'GreaterThanOrEqualTo',
                     'LessThan', 'LessThanOrEqualTo', 'EqualTo', 'NotEqualTo', 'Exists',
                     'DoesNotExist', 'In', 'NotIn')),
  -- null for Exists/DoesNotExist, an integer for the comparisons, an array for In/NotIn.
  required_value   jsonb,
  PRIMARY KEY (task_run_id, position)
);

ALTER TABLE task_runs
  ADD COLUMN onboarding_qualification_id bigint REFERENCES qualifications,
  ADD COLUMN onboarding_data    jsonb NOT NULL DEFAULT '{}',  -- init_task_data of onboarding
  ADD COLUMN onboarding_answers jsonb NOT NULL DEFAULT '{}';  -- the answer key

-- Screening (Mephisto's ScreenTaskRequired): a worker without passed_qualification_name first
-- gets a screening unit; passing grants it, failing grants the block qualification.
ALTER TABLE task_runs
  ADD COLUMN screening_passed_qualification_id bigint REFERENCES qualifications,
  ADD COLUMN screening_failed_qualification_id bigint REFERENCES qualifications,
  ADD COLUMN max_screening_units      integer NOT NULL DEFAULT 0,
  ADD COLUMN screening_units_launched integer NOT NULL DEFAULT 0,
-- Gold units (Mephisto's UseGoldUnit): known-answer units mixed into a worker's queue; counts
-- are kept as the qualifications <base>-correct-golds, -wrong-golds and -completed-count.
  ADD COLUMN gold_qualification_base text,
  ADD COLUMN max_gold_units      integer NOT NULL DEFAULT 0,
  ADD COLUMN gold_units_launched integer NOT NULL DEFAULT 0,
  ADD COLUMN min_golds           integer NOT NULL DEFAULT 1,
  ADD COLUMN max_incorrect_golds integer NOT NULL DEFAULT 0;

-- The screening and gold units a run can hand out: the unit's init_task_data and answer key.
CREATE TABLE task_run_validation_units (
  task_run_id bigint NOT NULL REFERENCES task_runs,
  unit_type   text NOT NULL CHECK (unit_type IN ('screening', 'gold')),
  position    integer NOT NULL,
  data        jsonb NOT NULL,
  answers     jsonb NOT NULL,
  PRIMARY KEY (task_run_id, unit_type, position)
);

-- Screening and gold units are made for one worker (Mephisto's unit_index -1 and -2): freed
-- by a timeout or a disconnect they expire instead of being offered to someone else.
CREATE FUNCTION throng_expire_freed_validation_unit()
RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.status := 'expired';
  RETURN NEW;
END;
$$;
CREATE TRIGGER units_validation_units_expire_when_freed
  BEFORE UPDATE OF status ON units
  FOR EACH ROW WHEN (NEW.unit_index < 0 AND NEW.status = 'launched')
  EXECUTE FUNCTION throng_expire_freed_validation_unit();

ALTER TABLE onboarding_agents
  ADD COLUMN registration_id text NOT NULL DEFAULT '',
  ADD COLUMN submission      jsonb,
  ADD COLUMN submitted_at    timestamptz,
  ADD COLUMN update_date     timestamptz NOT NULL DEFAULT now(),
  ADD CONSTRAINT onboarding_agents_status_valid CHECK (status IN ('none', 'onboarding',
    'waiting', 'approved', 'rejected', 'disconnect', 'timeout', 'expired', 'returned'));
CREATE INDEX onboarding_agents_registration ON onboarding_agents (task_run_id, registration_id);
CREATE INDEX onboarding_agents_worker ON onboarding_agents (worker_id);

-- Whether a granted value (null: not granted) meets one requirement. As Mephisto: a worker
-- without the qualification fails every comparator except DoesNotExist.
CREATE FUNCTION throng_requirement_met(p_comparator text, p_required jsonb, p_granted integer)
RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN p_comparator = 'Exists' THEN p_granted IS NOT NULL
    WHEN p_comparator = 'DoesNotExist' THEN p_granted IS NULL
    WHEN p_granted IS NULL THEN false
    WHEN p_comparator = 'In' THEN p_required @> to_jsonb(p_granted)
    WHEN p_comparator = 'NotIn' THEN NOT p_required @> to_jsonb(p_granted)
    WHEN p_comparator = 'GreaterThan' THEN p_granted > (p_required #>> '{}')::numeric
    WHEN p_comparator = 'GreaterThanOrEqualTo' THEN p_granted >= (p_required #>> '{}')::numeric
    WHEN p_comparator = 'LessThan' THEN p_granted < (p_required #>> '{}')::numeric
    WHEN p_comparator = 'LessThanOrEqualTo' THEN p_granted <= (p_required #>> '{}')::numeric
    WHEN p_comparator = 'EqualTo' THEN p_granted = (p_required #>> '{}')::numeric
    WHEN p_comparator = 'NotEqualTo' THEN p_granted <> (p_required #>> '{}')::numeric
    ELSE false
  END
$$;

-- One query over the run's few requirements (never over its units).
CREATE FUNCTION throng_worker_meets_requirements(p_task_run_id bigint, p_worker_id bigint)
RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT NOT EXISTS (
    SELECT 1 FROM task_run_qualifications q
      LEFT JOIN granted_qualifications g
        ON g.qualification_id = q.qualification_id AND g.worker_id = p_worker_id
     WHERE q.task_run_id = p_task_run_id
       AND NOT throng_requirement_met(q.comparator, q.required_value, g.value))
$$;

-- The answer-key check of onboarding, screening and gold units: every key of the key must be
-- in the submission with an equal JSON value (strings exactly, numbers by value, lists in
-- order); other submitted keys are not checked.
CREATE FUNCTION throng_answers_match(p_answers jsonb, p_submission jsonb)
RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_typeof(p_submission) = 'object'
     AND NOT EXISTS (SELECT 1 FROM jsonb_each(p_answers) e
                      WHERE (p_submission -> e.key) IS DISTINCT FROM e.value)
$$;

-- A granted value, or p_default for a worker without the qualification.
CREATE FUNCTION throng_granted_value(p_worker_id bigint, p_qualification_name text,
                                    p_default integer)
RETURNS integer
LANGUAGE sql STABLE AS $$
  SELECT COALESCE((SELECT g.value FROM granted_qualifications g
                     JOIN qualifications q ON q.qualification_id = g.qualification_id
                    WHERE g.worker_id = p_worker_id
                      AND q.qualification_name = p_qualification_name), p_default)
$$;

-- Grants (or updates) a qualification, creating the qualification if new.
CREATE FUNCTION throng_grant_qualification_to(p_worker_id bigint, p_qualification_name text,
                                              p_value integer)
RETURNS void
LANGUAGE sql AS $$
  INSERT INTO qualifications (qualification_name) VALUES (p_qualification_name)
    ON CONFLICT (qualification_name) DO NOTHING;
  INSERT INTO granted_qualifications (worker_id, qualification_id, value)
  SELECT p_worker_id, q.qualification_id, p_value FROM qualifications q
   WHERE q.qualification_name = p_qualification_name
  ON CONFLICT (worker_id, qualification_id)
    DO UPDATE SET value = EXCLUDED.value, update_date = now();
$$;

-- Adds one to a counting qualification (granted as 1 if new); returns the new value.
CREATE FUNCTION throng_increment_qualification(p_worker_id bigint, p_qualification_name text)
RETURNS integer
LANGUAGE sql AS $$
  INSERT INTO qualifications (qualification_name) VALUES (p_qualification_name)
    ON CONFLICT (qualification_name) DO NOTHING;
  INSERT INTO granted_qualifications AS g (worker_id, qualification_id, value)
  SELECT p_worker_id, q.qualification_id, 1 FROM qualifications q
   WHERE q.qualification_name = p_qualification_name
  ON CONFLICT (worker_id, qualification_id)
    DO UPDATE SET value = g.value + 1, update_date = now()
  RETURNING g.value;
$$;

-- For people running tasks (psql): grant, e.g. to block a worker, or revoke a qualification.
-- The worker must have registered once (a worker name alone does not say its provider).
CREATE FUNCTION throng_grant_qualification(p_worker_name text, p_qualification_name text,
                                           p_value integer DEFAULT 1)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_worker bigint;
BEGIN
  SELECT w.worker_id INTO v_worker FROM workers w WHERE w.worker_name = p_worker_name;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'unknown worker %: it has to register once before it can be granted '
                    'a qualification', p_worker_name;
  END IF;
  PERFORM throng_grant_qualification_to(v_worker, p_qualification_name, p_value);
END;
$$;

-- true if the worker had the qualification.
CREATE FUNCTION throng_revoke_qualification(p_worker_name text, p_qualification_name text)
RETURNS boolean
LANGUAGE sql AS $$
  WITH revoked AS (
    DELETE FROM granted_qualifications g
     USING workers w, qualifications q
     WHERE g.worker_id = w.worker_id AND g.qualification_id = q.qualification_id
       AND w.worker_name = p_worker_name AND q.qualification_name = p_qualification_name
    RETURNING 1)
  SELECT EXISTS (SELECT 1 FROM revoked);
$$;

-- Mephisto's get_valid_units_for_worker, as a yes/no: the worker is within allowed_concurrent
-- and maximum_units_per_worker and the run has a launched unit. Onboarding, screening and
-- gold units are offered only then, as in Mephisto.
CREATE FUNCTION throng_run_has_work_for(p_run task_runs, p_worker_id bigint)
RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT (p_run.allowed_concurrent = 0
          OR (SELECT count(*) FROM units u
               WHERE u.task_run_id = p_run.task_run_id AND u.worker_id = p_worker_id
                 AND u.status = 'assigned') < p_run.allowed_concurrent)
     AND (p_run.maximum_units_per_worker = 0
          OR (SELECT count(*) FROM units u
               WHERE u.task_id = p_run.task_id AND u.worker_id = p_worker_id
                 AND (u.status IN ('completed', 'accepted', 'rejected', 'soft_rejected')
                      OR (u.status = 'assigned' AND u.task_run_id = p_run.task_run_id)))
             < p_run.maximum_units_per_worker)
     AND EXISTS (SELECT 1 FROM units u
                  WHERE u.task_run_id = p_run.task_run_id AND u.status = 'launched'
                    AND u.unit_index >= 0)
$$;

-- Creates and assigns a unit of the worker's own (Mephisto's launch_screening_unit and
-- launch_gold_unit): a one-unit assignment with unit_index -1 (screening) or -2 (gold), its
-- answer key kept in the assignment, out of the init_task_data the page gets.
CREATE FUNCTION throng_assign_validation_unit(p_run task_runs, p_worker_id bigint,
                                              p_provider_type text, p_registration_id text,
                                              p_unit_index integer,
                                              p_unit task_run_validation_units)
RETURNS TABLE (outcome text, worker_id bigint, agent_id bigint, unit_id bigint, init_data jsonb)
LANGUAGE plpgsql AS $$
DECLARE
  v_assignment bigint;
  v_unit       bigint;
  v_agent      bigint;
BEGIN
  INSERT INTO assignments (task_id, task_run_id, requester_id, task_type, provider_type,
                           sandbox, assignment_data)
  VALUES (p_run.task_id, p_run.task_run_id, p_run.requester_id, p_run.task_type,
          p_run.provider_type, p_run.sandbox,
          jsonb_build_object('shared', p_unit.data, 'answers', p_unit.answers,
                             'position', p_unit.position))
  RETURNING assignments.assignment_id INTO v_assignment;
  INSERT INTO units (assignment_id, unit_index, pay_amount, provider_type, status, task_type,
                     task_id, task_run_id, sandbox, requester_id, worker_id)
  VALUES (v_assignment, p_unit_index,
          COALESCE((SELECT u.pay_amount FROM units u
                     WHERE u.task_run_id = p_run.task_run_id LIMIT 1), 0),
          p_run.provider_type, 'assigned', p_run.task_type, p_run.task_id, p_run.task_run_id,
          p_run.sandbox, p_run.requester_id, p_worker_id)
  RETURNING units.unit_id INTO v_unit;
  INSERT INTO agents (worker_id, unit_id, task_id, task_run_id, assignment_id, task_type,
                      provider_type, status, registration_id)
  VALUES (p_worker_id, v_unit, p_run.task_id, p_run.task_run_id, v_assignment,
          p_run.task_type, p_provider_type, 'accepted', p_registration_id)
  RETURNING agents.agent_id INTO v_agent;
  UPDATE units SET agent_id = v_agent WHERE units.unit_id = v_unit;
  INSERT INTO agent_data (agent_id, init_data) VALUES (v_agent, p_unit.data);
  RETURN QUERY SELECT 'assigned'::text, p_worker_id, v_agent, v_unit, p_unit.data;
END;
$$;

-- Mephisto's screening step of _assign_unit_or_qa, for a worker without the passed
-- qualification: the next screening unit (round robin over the configured ones) while fewer
-- than max_screening_units were handed out, else no_available_units.
CREATE FUNCTION throng_assign_screening_unit(p_run task_runs, p_worker_id bigint,
                                             p_provider_type text, p_registration_id text)
RETURNS TABLE (outcome text, worker_id bigint, agent_id bigint, unit_id bigint, init_data jsonb)
LANGUAGE plpgsql AS $$
DECLARE
  v_launched integer;
  v_unit     task_run_validation_units%ROWTYPE;
BEGIN
  UPDATE task_runs r SET screening_units_launched = r.screening_units_launched + 1
   WHERE r.task_run_id = p_run.task_run_id
     AND r.screening_units_launched < r.max_screening_units
  RETURNING r.screening_units_launched INTO v_launched;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'no_available_units'::text, p_worker_id, NULL::bigint, NULL::bigint,
                        NULL::jsonb;
    RETURN;
  END IF;
  SELECT v.* INTO v_unit FROM task_run_validation_units v
   WHERE v.task_run_id = p_run.task_run_id AND v.unit_type = 'screening'
     AND v.position = (v_launched - 1) % (SELECT count(*) FROM task_run_validation_units c
                                           WHERE c.task_run_id = p_run.task_run_id
                                             AND c.unit_type = 'screening');
  RETURN QUERY SELECT * FROM throng_assign_validation_unit(
    p_run, p_worker_id, p_provider_type, p_registration_id, -1, v_unit);
END;
$$;

-- Mephisto's should_produce_gold_for_worker + get_gold_unit_data_for_worker: golds until the
-- worker has min_golds correct, then about ceil(log10(completed + 1) ^ 2.2) - 1 more than
-- that (~5% of units at 100 completed, ~1% at 1000). The gold is the first one this worker has
-- not had in this run (all had: from the first again). No row: no gold now, give a real unit.
CREATE FUNCTION throng_assign_gold_unit(p_run task_runs, p_worker_id bigint,
                                        p_provider_type text, p_registration_id text)
RETURNS TABLE (outcome text, worker_id bigint, agent_id bigint, unit_id bigint, init_data jsonb)
LANGUAGE plpgsql AS $$
DECLARE
  v_completed integer := throng_granted_value(
                           p_worker_id, p_run.gold_qualification_base || '-completed-count', 0);
  v_correct   integer := throng_granted_value(
                           p_worker_id, p_run.gold_qualification_base || '-correct-golds', 0);
  v_wrong     integer := throng_granted_value(
                           p_worker_id, p_run.gold_qualification_base || '-wrong-golds', 0);
  v_unit      task_run_validation_units%ROWTYPE;
BEGIN
  IF v_wrong > p_run.max_incorrect_golds THEN
    RETURN;  -- disqualified; the <base>-disqualified requirement refuses such workers
  END IF;
  IF v_correct >= p_run.min_golds
     AND (p_run.gold_units_launched >= p_run.max_gold_units
          OR v_correct - (p_run.min_golds + v_wrong)
             >= ceil(power(log(v_completed + 1), 2.2)) - 1) THEN
    RETURN;
  END IF;
  UPDATE task_runs r SET gold_units_launched = r.gold_units_launched + 1
   WHERE r.task_run_id = p_run.task_run_id AND r.gold_units_launched < r.max_gold_units;
  IF NOT FOUND THEN
    -- Still short of min_golds and none left to give.
    RETURN QUERY SELECT 'no_available_units'::text, p_worker_id, NULL::bigint, NULL::bigint,
                        NULL::jsonb;
    RETURN;
  END IF;
  SELECT v.* INTO v_unit FROM task_run_validation_units v
   WHERE v.task_run_id = p_run.task_run_id AND v.unit_type = 'gold'
   ORDER BY (SELECT count(*) FROM units u JOIN assignments s ON s.assignment_id = u.assignment_id
              WHERE u.task_run_id = p_run.task_run_id AND u.worker_id = p_worker_id
                AND u.unit_index = -2
                AND s.assignment_data -> 'position' = to_jsonb(v.position)),
            v.position
   LIMIT 1;
  RETURN QUERY SELECT * FROM throng_assign_validation_unit(
    p_run, p_worker_id, p_provider_type, p_registration_id, -2, v_unit);
END;
$$;

-- Mephisto's register_worker: the worker-pool rules in front of throng_register_agent (which
-- reserves the unit and is left as it is). One round trip from the operator.
-- outcome: assigned | reconnection | onboarding | onboarding_reconnection | not_qualified |
--          no_available_units | agent_missing | unknown_run
-- For the two onboarding outcomes agent_id is the onboarding agent's id and init_data the run's
-- onboarding data.
CREATE FUNCTION throng_register_worker(p_task_run_id bigint, p_worker_name text,
                                       p_provider_type text, p_registration_id text)
RETURNS TABLE (outcome text, worker_id bigint, agent_id bigint, unit_id bigint, init_data jsonb)
LANGUAGE plpgsql AS $$
DECLARE
  v_run        task_runs%ROWTYPE;
  v_worker     bigint;
  v_onboarding onboarding_agents%ROWTYPE;
  v_granted    integer;
  v_new_id     bigint;
BEGIN
  SELECT * INTO v_run FROM task_runs r WHERE r.task_run_id = p_task_run_id;
  IF NOT FOUND OR v_run.is_completed THEN
    RETURN QUERY SELECT 'unknown_run'::text, NULL::bigint, NULL::bigint, NULL::bigint, NULL::jsonb;
    RETURN;
  END IF;

  INSERT INTO workers (worker_name, provider_type) VALUES (p_worker_name, p_provider_type)
    ON CONFLICT (worker_name) DO NOTHING;
  SELECT w.worker_id INTO v_worker FROM workers w WHERE w.worker_name = p_worker_name;
  -- The lock throng_register_agent takes too (re-entrant): a reload, a second tab and an
  -- onboarding submit of one worker in one run see each other's effects.
  PERFORM pg_advisory_xact_lock(hashtextextended(p_task_run_id::text || ':' || v_worker::text, 0));

  IF p_registration_id <> '' THEN
    -- A reload of a page that has an agent: reconnect it without re-checking the rules, as
    -- Mephisto does (a worker blocked mid-task keeps the unit it has).
    IF EXISTS (SELECT 1 FROM agents a
                WHERE a.task_run_id = p_task_run_id AND a.registration_id = p_registration_id
                  AND a.worker_id = v_worker) THEN
      RETURN QUERY SELECT * FROM throng_register_agent(p_task_run_id, p_worker_name,
                                                       p_provider_type, p_registration_id);
      RETURN;
    END IF;
    SELECT o.* INTO v_onboarding FROM onboarding_agents o
     WHERE o.task_run_id = p_task_run_id AND o.registration_id = p_registration_id
       AND o.worker_id = v_worker
     ORDER BY o.onboarding_agent_id DESC LIMIT 1;
    IF FOUND THEN
      IF v_onboarding.status = 'rejected' THEN
        RETURN QUERY SELECT 'not_qualified'::text, v_worker, NULL::bigint, NULL::bigint, NULL::jsonb;
        RETURN;
      ELSIF v_onboarding.status IN ('none', 'onboarding', 'waiting') THEN
        RETURN QUERY SELECT 'onboarding_reconnection'::text, v_worker,
                            v_onboarding.onboarding_agent_id, NULL::bigint, v_run.onboarding_data;
        RETURN;
      ELSIF v_onboarding.status <> 'approved' THEN
        RETURN QUERY SELECT 'agent_missing'::text, v_worker, NULL::bigint, NULL::bigint, NULL::jsonb;
        RETURN;
      END IF;
      -- Approved but no unit yet (there was none free when it passed): register normally.
    END IF;
  END IF;

  IF NOT throng_worker_meets_requirements(p_task_run_id, v_worker) THEN
    RETURN QUERY SELECT 'not_qualified'::text, v_worker, NULL::bigint, NULL::bigint, NULL::jsonb;
    RETURN;
  END IF;

  IF v_run.onboarding_qualification_id IS NOT NULL THEN
    SELECT g.value INTO v_granted FROM granted_qualifications g
     WHERE g.worker_id = v_worker AND g.qualification_id = v_run.onboarding_qualification_id;
    IF FOUND AND v_granted = 0 THEN
      -- Mephisto's is_disqualified: the qualification with a falsy value.
      RETURN QUERY SELECT 'not_qualified'::text, v_worker, NULL::bigint, NULL::bigint, NULL::jsonb;
      RETURN;
    ELSIF NOT FOUND THEN
      -- As Mephisto, onboarding is offered only while the run has work to give afterwards.
      IF NOT throng_run_has_work_for(v_run, v_worker) THEN
        RETURN QUERY SELECT 'no_available_units'::text, v_worker, NULL::bigint, NULL::bigint,
                            NULL::jsonb;
        RETURN;
      END IF;
      INSERT INTO onboarding_agents (worker_id, task_id, task_run_id, task_type, status,
                                     registration_id)
      VALUES (v_worker, v_run.task_id, p_task_run_id, v_run.task_type, 'onboarding',
              p_registration_id)
      RETURNING onboarding_agents.onboarding_agent_id INTO v_new_id;
      RETURN QUERY SELECT 'onboarding'::text, v_worker, v_new_id, NULL::bigint, v_run.onboarding_data;
      RETURN;
    END IF;
  END IF;

  IF (v_run.screening_passed_qualification_id IS NOT NULL
      OR v_run.gold_qualification_base IS NOT NULL)
     AND NOT throng_run_has_work_for(v_run, v_worker) THEN
    RETURN QUERY SELECT 'no_available_units'::text, v_worker, NULL::bigint, NULL::bigint,
                        NULL::jsonb;
    RETURN;
  END IF;
  IF v_run.screening_passed_qualification_id IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM granted_qualifications g
                      WHERE g.worker_id = v_worker
                        AND g.qualification_id = v_run.screening_passed_qualification_id) THEN
    RETURN QUERY SELECT * FROM throng_assign_screening_unit(v_run, v_worker, p_provider_type,
                                                            p_registration_id);
    RETURN;
  END IF;
  IF v_run.gold_qualification_base IS NOT NULL THEN
    RETURN QUERY SELECT * FROM throng_assign_gold_unit(v_run, v_worker, p_provider_type,
                                                       p_registration_id);
    IF FOUND THEN
      RETURN;
    END IF;
  END IF;

  RETURN QUERY SELECT * FROM throng_register_agent(p_task_run_id, p_worker_name, p_provider_type,
                                                   p_registration_id);
END;
$$;

-- Mephisto's submit_onboarding + validate_onboarding + register_agent_from_onboarding, in one
-- transaction: checks the answers against the run's answer key (every key of the key must be
-- in the submission with an equal JSON value), grants <qual> = 1 on a pass, or <qual> = 0 and
-- <qual>-failed on a fail, then gives a passing worker a unit.
-- verdict: passed | failed (decided by this call) | decided (by an earlier submit: a retry) |
--          none (nothing was checked)
-- outcome, worker_id, agent_id, unit_id, init_data: as throng_register_worker, or
--          unknown_agent
CREATE FUNCTION throng_submit_onboarding(p_onboarding_agent_id bigint, p_onboarding_data jsonb)
RETURNS TABLE (verdict text, outcome text, worker_id bigint, agent_id bigint, unit_id bigint,
               init_data jsonb)
LANGUAGE plpgsql AS $$
DECLARE
  v_onboarding    onboarding_agents%ROWTYPE;
  v_worker        workers%ROWTYPE;
  v_run           task_runs%ROWTYPE;
  v_qualification text;
  v_passed        boolean;
  v_verdict       text := 'decided';
BEGIN
  SELECT o.* INTO v_onboarding FROM onboarding_agents o
   WHERE o.onboarding_agent_id = p_onboarding_agent_id;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'none'::text, 'unknown_agent'::text, NULL::bigint, NULL::bigint,
                        NULL::bigint, NULL::jsonb;
    RETURN;
  END IF;
  PERFORM pg_advisory_xact_lock(hashtextextended(
    v_onboarding.task_run_id::text || ':' || v_onboarding.worker_id::text, 0));
  SELECT o.* INTO v_onboarding FROM onboarding_agents o
   WHERE o.onboarding_agent_id = p_onboarding_agent_id FOR UPDATE;
  SELECT w.* INTO v_worker FROM workers w WHERE w.worker_id = v_onboarding.worker_id;

  IF v_onboarding.status = 'rejected' THEN
    RETURN QUERY SELECT 'decided'::text, 'not_qualified'::text, v_worker.worker_id, NULL::bigint,
                        NULL::bigint, NULL::jsonb;
    RETURN;
  ELSIF v_onboarding.status IN ('none', 'onboarding', 'waiting') THEN
    SELECT r.* INTO v_run FROM task_runs r WHERE r.task_run_id = v_onboarding.task_run_id;
    SELECT q.qualification_name INTO v_qualification FROM qualifications q
     WHERE q.qualification_id = v_run.onboarding_qualification_id;
    v_passed := throng_answers_match(v_run.onboarding_answers, p_onboarding_data);
    UPDATE onboarding_agents o
       SET status = CASE WHEN v_passed THEN 'approved' ELSE 'rejected' END,
           submission = p_onboarding_data, submitted_at = now(), update_date = now()
     WHERE o.onboarding_agent_id = p_onboarding_agent_id;
    PERFORM throng_grant_qualification_to(v_worker.worker_id, v_qualification,
                                          CASE WHEN v_passed THEN 1 ELSE 0 END);
    IF NOT v_passed THEN
      PERFORM throng_grant_qualification_to(v_worker.worker_id, v_qualification || '-failed', 1);
      RETURN QUERY SELECT 'failed'::text, 'not_qualified'::text, v_worker.worker_id,
                          NULL::bigint, NULL::bigint, NULL::jsonb;
      RETURN;
    END IF;
    v_verdict := 'passed';
  ELSIF v_onboarding.status <> 'approved' THEN
    -- Disconnected (or timed out) before submitting, as a reconnect would be told.
    RETURN QUERY SELECT 'none'::text, 'agent_missing'::text, v_worker.worker_id, NULL::bigint,
                        NULL::bigint, NULL::jsonb;
    RETURN;
  END IF;

  -- Registered as any qualified worker (so screening and gold units still come first). The
  -- real agent inherits the registration id, so a reload (or a retried submit) finds it; a
  -- page without one gets a registration id of its own for the same reason.
  RETURN QUERY SELECT v_verdict, r.* FROM throng_register_worker(
    v_onboarding.task_run_id, v_worker.worker_name, v_worker.provider_type,
    COALESCE(NULLIF(v_onboarding.registration_id, ''),
             'onboarding_' || v_onboarding.onboarding_agent_id::text)) r;
END;
$$;

-- A router saw the onboarding page's socket go away for good; a reconnect is then refused
-- with TASK_MISSING, as Mephisto does. outcome: disconnected | ignored
CREATE FUNCTION throng_disconnect_onboarding_agent(p_onboarding_agent_id bigint)
RETURNS text
LANGUAGE sql AS $$
  WITH changed AS (
    UPDATE onboarding_agents SET status = 'disconnect', update_date = now()
     WHERE onboarding_agent_id = p_onboarding_agent_id
       AND status IN ('none', 'onboarding', 'waiting')
    RETURNING 1)
  SELECT CASE WHEN EXISTS (SELECT 1 FROM changed) THEN 'disconnected' ELSE 'ignored' END;
$$;

-- throng_submit_unit, then Mephisto's on_unit_submitted for screening and gold: a screening
-- unit's answers grant passed_qualification_name (pass) or the block qualification (fail); a
-- gold unit's add to <base>-correct-golds or <base>-wrong-golds, and more wrong golds than
-- max_incorrect_golds grant <base>-disqualified; any other unit of a gold run adds to
-- <base>-completed-count. One round trip. Returns throng_submit_unit's outcome.
CREATE FUNCTION throng_submit_and_validate_unit(p_agent_id bigint, p_submission jsonb)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v_outcome    text := throng_submit_unit(p_agent_id, p_submission);
  v_worker     bigint;
  v_unit_index integer;
  v_answers    jsonb;
  v_run        task_runs%ROWTYPE;
  v_passed     boolean;
BEGIN
  IF v_outcome <> 'completed' THEN
    RETURN v_outcome;
  END IF;
  SELECT a.worker_id, u.unit_index, s.assignment_data -> 'answers'
    INTO v_worker, v_unit_index, v_answers
    FROM agents a JOIN units u ON u.unit_id = a.unit_id
    JOIN assignments s ON s.assignment_id = u.assignment_id
   WHERE a.agent_id = p_agent_id;
  SELECT r.* INTO v_run FROM task_runs r JOIN agents a ON a.task_run_id = r.task_run_id
   WHERE a.agent_id = p_agent_id;
  IF v_unit_index >= 0 THEN
    IF v_run.gold_qualification_base IS NOT NULL THEN
      PERFORM throng_increment_qualification(v_worker,
                                             v_run.gold_qualification_base || '-completed-count');
    END IF;
    RETURN v_outcome;
  END IF;
  v_passed := throng_answers_match(COALESCE(v_answers, '{}'), p_submission);
  IF v_unit_index = -1 THEN
    PERFORM throng_grant_qualification_to(v_worker, q.qualification_name, 1)
       FROM qualifications q
      WHERE q.qualification_id = CASE WHEN v_passed THEN v_run.screening_passed_qualification_id
                                      ELSE v_run.screening_failed_qualification_id END;
  ELSIF v_unit_index = -2 AND v_passed THEN
    PERFORM throng_increment_qualification(v_worker,
                                           v_run.gold_qualification_base || '-correct-golds');
  ELSIF v_unit_index = -2 THEN
    IF throng_increment_qualification(v_worker, v_run.gold_qualification_base || '-wrong-golds')
       > v_run.max_incorrect_golds THEN
      PERFORM throng_grant_qualification_to(v_worker,
                                            v_run.gold_qualification_base || '-disqualified', 1);
    END IF;
  END IF;
  RETURN v_outcome;
END;
$$;
