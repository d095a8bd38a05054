-- Quality monitors: each run's thresholds (the task config's `monitoring` group), exported as
-- gauges so alert rules compare a run's measured ratios with its own thresholds, and what the
-- operator needs to measure those ratios: the kind of unit a registration or a submission was
-- about and the verdict of a screening or gold unit's answer-key check.

ALTER TABLE task_runs
  ADD COLUMN min_gold_accuracy double precision NOT NULL DEFAULT 0.8
    CHECK (min_gold_accuracy BETWEEN 0 AND 1),
  ADD COLUMN min_screening_pass_rate double precision NOT NULL DEFAULT 0.2
    CHECK (min_screening_pass_rate BETWEEN 0 AND 1),
  ADD COLUMN min_onboarding_pass_rate double precision NOT NULL DEFAULT 0.2
    CHECK (min_onboarding_pass_rate BETWEEN 0 AND 1),
  ADD COLUMN max_empty_submission_share double precision NOT NULL DEFAULT 0.1
    CHECK (max_empty_submission_share BETWEEN 0 AND 1),
  ADD COLUMN max_fast_submission_share double precision NOT NULL DEFAULT 0.25
    CHECK (max_fast_submission_share BETWEEN 0 AND 1),
  -- A standard submission is fast below this fraction of the run's median time per unit.
  ADD COLUMN fast_submission_fraction double precision NOT NULL DEFAULT 0.25
    CHECK (fast_submission_fraction > 0 AND fast_submission_fraction <= 1);

-- Mephisto's unit_index says what a unit is: -1 screening, -2 gold, else a unit of the data.
CREATE FUNCTION throng_unit_type(p_unit_index integer)
RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE p_unit_index WHEN -1 THEN 'screening' WHEN -2 THEN 'gold' ELSE 'standard' END
$$;

-- The type of a unit (NULL for none), for the statement that registered a worker: screening
-- and gold units are made by that registration, and only a VOLATILE function, which takes a
-- new snapshot, sees them from the same statement. plpgsql, so it is never inlined.
CREATE FUNCTION throng_assigned_unit_type(p_unit_id bigint)
RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  RETURN (SELECT throng_unit_type(u.unit_index) FROM units u WHERE u.unit_id = p_unit_id);
END;
$$;

-- throng_submit_and_time_unit (0010), now also saying what kind of unit was submitted, whether
-- a screening or gold unit's answers matched its key (the check throng_submit_and_validate_unit
-- made, on the same values) and the run's fast_submission_fraction, still in one round trip.
DROP FUNCTION throng_submit_and_time_unit(bigint, jsonb);
CREATE FUNCTION throng_submit_and_time_unit(p_agent_id bigint, p_submission jsonb)
RETURNS TABLE (outcome text, task_run_id bigint, seconds_worked double precision,
               unit_type text, answers_passed boolean,
               fast_submission_fraction double precision)
LANGUAGE plpgsql AS $$
BEGIN
  outcome := throng_submit_and_validate_unit(p_agent_id, p_submission);
  -- A new statement: it sees the submission just stored.
  SELECT a.task_run_id,
         CASE WHEN outcome = 'completed'
              THEN extract(epoch FROM (d.submitted_at - a.creation_date))::double precision END,
         CASE WHEN outcome = 'completed' THEN throng_unit_type(u.unit_index) END,
         CASE WHEN outcome = 'completed' AND u.unit_index < 0
              THEN throng_answers_match(COALESCE(s.assignment_data -> 'answers', '{}'),
                                        p_submission) END,
         r.fast_submission_fraction
    INTO task_run_id, seconds_worked, unit_type, answers_passed, fast_submission_fraction
    FROM agents a LEFT JOIN agent_data d ON d.agent_id = a.agent_id
    JOIN task_runs r ON r.task_run_id = a.task_run_id
    LEFT JOIN units u ON u.unit_id = a.unit_id
    LEFT JOIN assignments s ON s.assignment_id = u.assignment_id
   WHERE a.agent_id = p_agent_id;
  RETURN NEXT;
END;
$$;
