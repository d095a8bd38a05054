-- Mephisto's monitoring shows how long registration spends filtering units by the worker's
-- qualifications and finding valid units. throng does both inside the one registration call;
-- these wrappers time each step with clock_timestamp() and leave the figures in the
-- transaction-local setting throng.phases ("filter_units=0.00012;valid_units=0.00031;"),
-- which the operator reads in the same statement and turns into a histogram.

CREATE FUNCTION throng_note_phase(p_phase text, p_started timestamptz)
RETURNS void
LANGUAGE sql AS $$
  SELECT set_config('throng.phases',
                    COALESCE(current_setting('throng.phases', true), '') || p_phase || '=' ||
                    extract(epoch FROM clock_timestamp() - p_started)::text || ';', true);
$$;

-- Filtering: qualification requirements and the block qualification.
ALTER FUNCTION throng_worker_meets_requirements(bigint, bigint)
  RENAME TO throng_worker_meets_requirements_untimed;
CREATE FUNCTION throng_worker_meets_requirements(p_task_run_id bigint, p_worker_id bigint)
RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  v_started timestamptz := clock_timestamp();
  v_met     boolean := throng_worker_meets_requirements_untimed(p_task_run_id, p_worker_id);
BEGIN
  PERFORM throng_note_phase('filter_units', v_started);
  RETURN v_met;
END;
$$;

-- Valid units: the limits, the reservation of a launched unit and the agent with its init data.
ALTER FUNCTION throng_register_agent(bigint, text, text, text)
  RENAME TO throng_register_agent_untimed;
CREATE FUNCTION throng_register_agent(p_task_run_id bigint, p_worker_name text,
                                      p_provider_type text, p_registration_id text)
RETURNS TABLE (outcome text, worker_id bigint, agent_id bigint, unit_id bigint, init_data jsonb)
LANGUAGE plpgsql AS $$
DECLARE
  v_started timestamptz := clock_timestamp();
BEGIN
  RETURN QUERY SELECT * FROM throng_register_agent_untimed(p_task_run_id, p_worker_name,
                                                           p_provider_type, p_registration_id);
  PERFORM throng_note_phase('valid_units', v_started);
END;
$$;
