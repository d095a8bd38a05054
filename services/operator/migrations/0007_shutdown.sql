-- What the operator does to the database when it is told to stop.

-- Second stop signal ("stop now"): every agent still working on a live run is disconnected and
-- its unit put back to 'created', so a restarted operator launches it again. Returns how many
-- agents were disconnected.
CREATE FUNCTION throng_disconnect_active_agents()
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  v_count integer;
BEGIN
  WITH active AS (
    UPDATE agents a SET status = 'disconnect', update_date = now()
      FROM task_runs r
     WHERE a.task_run_id = r.task_run_id AND NOT r.is_completed
       AND a.status IN ('accepted', 'onboarding', 'waiting', 'in task')
    RETURNING a.agent_id, a.unit_id)
  UPDATE units u SET status = 'created', agent_id = NULL, worker_id = NULL
    FROM active
   WHERE u.unit_id = active.unit_id AND u.agent_id = active.agent_id AND u.status = 'assigned';
  GET DIAGNOSTICS v_count = ROW_COUNT;
  -- Workers in onboarding are disconnected too (their reload is told the task is missing).
  UPDATE onboarding_agents o SET status = 'disconnect', update_date = now()
    FROM task_runs r
   WHERE o.task_run_id = r.task_run_id AND NOT r.is_completed
     AND o.status IN ('none', 'onboarding');
  RETURN v_count;
END;
$$;
