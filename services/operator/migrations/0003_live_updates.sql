-- Live updates exchanged with agents over websockets, deduplicated by Mephisto's update_id,
-- and router-reported disconnects.

CREATE TABLE live_updates (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  agent_id      bigint NOT NULL REFERENCES agents,
  direction     text NOT NULL CHECK (direction IN ('to_server', 'to_client')),
  update_id     text NOT NULL,
  data          jsonb NOT NULL,
  creation_date timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX live_updates_dedupe ON live_updates (agent_id, direction, update_id);

-- A router saw the agent's socket go away for good: the agent becomes 'disconnect' and its unit
-- is offered again, as Mephisto does. Agents already done are left alone.
-- outcome: disconnected | ignored
CREATE FUNCTION throng_disconnect_agent(p_agent_id bigint)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v_unit bigint;
BEGIN
  UPDATE agents SET status = 'disconnect', update_date = now()
   WHERE agent_id = p_agent_id AND status IN ('accepted', 'in task', 'waiting', 'onboarding')
  RETURNING unit_id INTO v_unit;
  IF NOT FOUND THEN
    RETURN 'ignored';
  END IF;
  UPDATE units SET status = 'launched', agent_id = NULL, worker_id = NULL
   WHERE unit_id = v_unit AND agent_id = p_agent_id AND status = 'assigned';
  RETURN 'disconnected';
END;
$$;
