-- Statuses follow Mephisto's state machines, and transitions are enforced (SPEC O5): every
-- status change of an agent, a unit or an onboarding agent must be a row of
-- status_transitions, else the trigger refuses it with SQLSTATE TH001 and the statement (and
-- its transaction) fails. Keeping a status (old = new) is always allowed. The operator logs
-- and counts each refusal (docs/state-machines.md). Inserted rows are not checked: agents
-- start 'accepted', units 'created' (screening and gold units 'assigned'), onboarding agents
-- 'onboarding'.

CREATE TABLE status_transitions (
  entity      text NOT NULL CHECK (entity IN ('agent', 'unit', 'onboarding_agent')),
  from_status text NOT NULL,
  to_status   text NOT NULL CHECK (to_status <> from_status),
  -- mephisto: a transition of Mephisto's machines; throng: one only throng performs.
  origin      text NOT NULL CHECK (origin IN ('mephisto', 'throng')),
  why         text NOT NULL,
  PRIMARY KEY (entity, from_status, to_status)
);

INSERT INTO status_transitions (entity, from_status, to_status, origin, why) VALUES
  ('agent', 'none', 'accepted', 'mephisto', 'agent created for a reserved unit'),
  ('agent', 'accepted', 'waiting', 'mephisto', 'live run: enters the waiting room'),
  ('agent', 'accepted', 'in task', 'mephisto', 'the unit starts'),
  ('agent', 'waiting', 'in task', 'mephisto', 'every unit of the assignment has a waiting agent'),
  ('agent', 'in task', 'completed', 'mephisto', 'submitted'),
  ('agent', 'partner disconnect', 'completed', 'mephisto',
   'submits what it has after its partner left'),
  ('agent', 'accepted', 'completed', 'throng',
   'static task submitted: throng runs no unit thread that would mark it in task'),
  ('agent', 'waiting', 'completed', 'throng',
   'live task submitted from the waiting room; the submission is kept'),
  ('agent', 'in task', 'partner disconnect', 'mephisto', 'a chat partner left'),
  ('agent', 'completed', 'approved', 'mephisto', 'review'),
  ('agent', 'completed', 'soft_rejected', 'mephisto', 'review'),
  ('agent', 'completed', 'rejected', 'mephisto', 'review'),

  ('unit', 'created', 'launched', 'mephisto', 'launched, within max_num_concurrent_units'),
  ('unit', 'launched', 'assigned', 'mephisto', 'reserved for a new agent'),
  ('unit', 'assigned', 'completed', 'mephisto', 'its agent submitted'),
  ('unit', 'assigned', 'launched', 'mephisto',
   'its agent timed out or disconnected: offered again (clear_assigned_agent)'),
  ('unit', 'created', 'expired', 'mephisto', 'run expired or shut down'),
  ('unit', 'launched', 'expired', 'mephisto', 'run expired or shut down'),
  ('unit', 'assigned', 'expired', 'mephisto',
   'a paired-chat leaver, a stalled pair, a freed screening or gold unit, run shut down'),
  ('unit', 'completed', 'accepted', 'mephisto', 'review'),
  ('unit', 'completed', 'soft_rejected', 'mephisto', 'review'),
  ('unit', 'completed', 'rejected', 'mephisto', 'review'),
  ('unit', 'launched', 'created', 'throng',
   'unlaunched: the operator drains, or max_num_concurrent_units was lowered'),
  ('unit', 'assigned', 'created', 'throng',
   'the operator stops now: its agent is disconnected, a restarted operator launches it'),

  ('onboarding_agent', 'none', 'onboarding', 'mephisto', 'onboarding starts'),
  ('onboarding_agent', 'onboarding', 'waiting', 'mephisto', 'onboarding submitted'),
  ('onboarding_agent', 'waiting', 'approved', 'mephisto', 'answers passed'),
  ('onboarding_agent', 'waiting', 'rejected', 'mephisto', 'answers failed'),
  ('onboarding_agent', 'onboarding', 'approved', 'throng',
   'answers passed, checked in the transaction that stores them (no waiting step)'),
  ('onboarding_agent', 'onboarding', 'rejected', 'throng',
   'answers failed, checked in the transaction that stores them (no waiting step)');

-- Mephisto's side exits: any agent not done yet may disconnect, time out (assignment duration,
-- submission timeout), be returned or expire at its provider.
INSERT INTO status_transitions (entity, from_status, to_status, origin, why)
SELECT 'agent', f, t, 'mephisto', 'side exit of an agent not done yet'
  FROM unnest(ARRAY['none', 'accepted', 'waiting', 'in task', 'partner disconnect']) f,
       unnest(ARRAY['disconnect', 'timeout', 'returned', 'expired']) t;
INSERT INTO status_transitions (entity, from_status, to_status, origin, why)
SELECT 'onboarding_agent', f, 'disconnect', 'mephisto', 'left before its answers were checked'
  FROM unnest(ARRAY['none', 'onboarding', 'waiting']) f;

-- Whether an <entity> may go from p_from to p_to; keeping a status always may.
CREATE FUNCTION throng_status_transition_allowed(p_entity text, p_from text, p_to text)
RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT p_from = p_to OR EXISTS (SELECT 1 FROM status_transitions t
                                   WHERE t.entity = p_entity AND t.from_status = p_from
                                     AND t.to_status = p_to)
$$;

-- Runs only for a transition the table does not allow (the triggers' WHEN clause checks; a
-- condition there costs about half what a PL/pgSQL call per row would on bulk updates).
-- TG_ARGV: the entity, then the row's id column (named in the refusal).
CREATE FUNCTION throng_refuse_status_transition()
RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  -- The operator reads the entity back from this text: keep its start as it is.
  RAISE EXCEPTION 'illegal status transition of % %: % -> %', TG_ARGV[0],
                  to_jsonb(NEW) ->> TG_ARGV[1], quote_literal(OLD.status),
                  quote_literal(NEW.status)
    USING ERRCODE = 'TH001', TABLE = TG_TABLE_NAME, COLUMN = 'status',
          HINT = 'the allowed transitions are the rows of status_transitions';
END;
$$;

-- BEFORE triggers fire in name order, and each one's condition sees what the earlier ones did:
-- "zz" makes these the last, so they judge the status the others settled on (a freed screening
-- unit is 'expired', not 'launched').
CREATE TRIGGER agents_zz_status_transition_check
  BEFORE UPDATE OF status ON agents
  FOR EACH ROW WHEN (NOT throng_status_transition_allowed('agent', OLD.status, NEW.status))
  EXECUTE FUNCTION throng_refuse_status_transition('agent', 'agent_id');
CREATE TRIGGER units_zz_status_transition_check
  BEFORE UPDATE OF status ON units
  FOR EACH ROW WHEN (NOT throng_status_transition_allowed('unit', OLD.status, NEW.status))
  EXECUTE FUNCTION throng_refuse_status_transition('unit', 'unit_id');
CREATE TRIGGER onboarding_agents_zz_status_transition_check
  BEFORE UPDATE OF status ON onboarding_agents
  FOR EACH ROW WHEN (NOT throng_status_transition_allowed('onboarding_agent', OLD.status,
                                                          NEW.status))
  EXECUTE FUNCTION throng_refuse_status_transition('onboarding_agent', 'onboarding_agent_id');
