-- The paired_chat blueprint: agents of one assignment wait for each other, chat through relayed
-- live updates, and get every update they missed after a reconnect (another router, a reload).

-- Client-bound updates are delivered at least once: a router acknowledges each one it wrote to
-- the agent's socket; what is unacknowledged is sent again when the agent next says `alive`.
ALTER TABLE live_updates ADD COLUMN delivered_at timestamptz;
CREATE INDEX live_updates_undelivered ON live_updates (agent_id, id)
  WHERE direction = 'to_client' AND delivered_at IS NULL;
CREATE INDEX live_updates_history ON live_updates (agent_id, id);
CREATE INDEX agents_assignment ON agents (assignment_id);

-- A chat partner who disconnects leaves the others in 'partner disconnect': Mephisto lets them
-- submit what they have.
CREATE OR REPLACE FUNCTION throng_submit_unit(p_agent_id bigint, p_submission jsonb)
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
  IF v_agent.status NOT IN ('accepted', 'in task', 'waiting', 'partner disconnect') THEN
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

-- An agent of a live run is ready (registered, or back on a socket): 'accepted' becomes
-- 'waiting', and once every unit of its assignment has a waiting agent they all start together
-- ('in task'). Idempotent. Returns the agents whose status changed, with their new status.
CREATE FUNCTION throng_live_agent_ready(p_agent_id bigint)
RETURNS TABLE (agent_id bigint, status text)
LANGUAGE plpgsql AS $$
DECLARE
  v_assignment bigint;
  v_units      bigint;
  v_waiting    bigint;
BEGIN
  SELECT a.assignment_id INTO v_assignment FROM agents a WHERE a.agent_id = p_agent_id;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  -- One assignment's agents change status one transaction at a time.
  PERFORM 1 FROM assignments s WHERE s.assignment_id = v_assignment FOR UPDATE;

  UPDATE agents a SET status = 'waiting', update_date = now()
   WHERE a.agent_id = p_agent_id AND a.status = 'accepted';
  IF FOUND THEN
    agent_id := p_agent_id;
    status := 'waiting';
    RETURN NEXT;
  END IF;

  SELECT count(*) INTO v_units FROM units u WHERE u.assignment_id = v_assignment;
  SELECT count(*) INTO v_waiting FROM units u JOIN agents a ON a.agent_id = u.agent_id
   WHERE u.assignment_id = v_assignment AND u.status = 'assigned' AND a.status = 'waiting';
  IF v_waiting = v_units THEN
    RETURN QUERY
      UPDATE agents a SET status = 'in task', update_date = now()
        FROM units u
       WHERE u.assignment_id = v_assignment AND u.agent_id = a.agent_id AND a.status = 'waiting'
      RETURNING a.agent_id, a.status;
  END IF;
END;
$$;

-- A router saw an agent's socket go away for good. Alone in the waiting room, its unit is
-- offered again. In a chat under way the chat cannot go on: the agent's unit expires and its
-- partners become 'partner disconnect' (they may still submit). Returns every agent whose
-- status changed, with its new status.
CREATE FUNCTION throng_live_disconnect(p_agent_id bigint)
RETURNS TABLE (agent_id bigint, status text)
LANGUAGE plpgsql AS $$
DECLARE
  v_agent agents%ROWTYPE;
BEGIN
  SELECT a.* INTO v_agent FROM agents a WHERE a.agent_id = p_agent_id;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  PERFORM 1 FROM assignments s WHERE s.assignment_id = v_agent.assignment_id FOR UPDATE;
  SELECT a.* INTO v_agent FROM agents a WHERE a.agent_id = p_agent_id;

  IF v_agent.status = 'in task' THEN
    UPDATE agents a SET status = 'disconnect', update_date = now() WHERE a.agent_id = p_agent_id;
    UPDATE units u SET status = 'expired'
     WHERE u.unit_id = v_agent.unit_id AND u.agent_id = p_agent_id AND u.status = 'assigned';
    agent_id := p_agent_id;
    status := 'disconnect';
    RETURN NEXT;
    RETURN QUERY
      UPDATE agents a SET status = 'partner disconnect', update_date = now()
        FROM units u
       WHERE u.assignment_id = v_agent.assignment_id AND u.agent_id = a.agent_id
         AND a.agent_id <> p_agent_id AND a.status = 'in task'
      RETURNING a.agent_id, a.status;
  ELSIF throng_disconnect_agent(p_agent_id) = 'disconnected' THEN
    agent_id := p_agent_id;
    status := 'disconnect';
    RETURN NEXT;
  END IF;
END;
$$;

-- Stores a browser's live update (once per update_id) and, if its agent is chatting, queues a
-- copy for each partner still in the chat. Returns the queued copies (partner, row id);
-- nothing for a resend or for an agent that is not chatting. Unknown agents raise.
CREATE FUNCTION throng_live_relay(p_agent_id bigint, p_update_id text, p_data jsonb)
RETURNS TABLE (agent_id bigint, row_id bigint)
LANGUAGE plpgsql AS $$
DECLARE
  v_agent agents%ROWTYPE;
BEGIN
  INSERT INTO live_updates (agent_id, direction, update_id, data)
  VALUES (p_agent_id, 'to_server', p_update_id, p_data)
  ON CONFLICT DO NOTHING;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  SELECT a.* INTO v_agent FROM agents a WHERE a.agent_id = p_agent_id;
  IF v_agent.status <> 'in task' THEN
    RETURN;
  END IF;
  RETURN QUERY
    INSERT INTO live_updates (agent_id, direction, update_id, data)
    SELECT a.agent_id, 'to_client', p_update_id, p_data
      FROM units u JOIN agents a ON a.agent_id = u.agent_id
     WHERE u.assignment_id = v_agent.assignment_id AND a.agent_id <> p_agent_id
       AND a.status = 'in task'
    ON CONFLICT DO NOTHING
    RETURNING live_updates.agent_id, live_updates.id;
END;
$$;
