-- The Mephisto data model on PostgreSQL. Ids are bigint identities; agent data (init data,
-- submissions) lives in the database rather than in files.

CREATE TABLE projects (
  project_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  project_name  text NOT NULL UNIQUE,
  creation_date timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE tasks (
  task_id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  task_name      text NOT NULL UNIQUE,
  task_type      text NOT NULL,
  project_id     bigint REFERENCES projects,
  parent_task_id bigint REFERENCES tasks,
  creation_date  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE requesters (
  requester_id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  requester_name text NOT NULL UNIQUE,
  provider_type  text NOT NULL,
  creation_date  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX requesters_provider_type ON requesters (provider_type);

CREATE TABLE task_runs (
  task_run_id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  task_id                     bigint NOT NULL REFERENCES tasks,
  requester_id                bigint NOT NULL REFERENCES requesters,
  init_params                 jsonb NOT NULL,
  is_completed                boolean NOT NULL DEFAULT false,
  provider_type               text NOT NULL,
  task_type                   text NOT NULL,
  sandbox                     boolean NOT NULL DEFAULT false,
  max_num_concurrent_units    integer NOT NULL DEFAULT 0 CHECK (max_num_concurrent_units >= 0),
  allowed_concurrent          integer NOT NULL DEFAULT 0 CHECK (allowed_concurrent >= 0),
  maximum_units_per_worker    integer NOT NULL DEFAULT 0 CHECK (maximum_units_per_worker >= 0),
  assignment_duration_seconds integer NOT NULL DEFAULT 1800 CHECK (assignment_duration_seconds > 0),
  static_dir                  text NOT NULL DEFAULT '',
  task_config                 jsonb NOT NULL DEFAULT '{}',
  creation_date               timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX task_runs_requester ON task_runs (requester_id);
CREATE INDEX task_runs_task ON task_runs (task_id);
CREATE INDEX task_runs_live ON task_runs (task_run_id) WHERE NOT is_completed;

CREATE TABLE assignments (
  assignment_id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  task_id         bigint NOT NULL REFERENCES tasks,
  task_run_id     bigint NOT NULL REFERENCES task_runs,
  requester_id    bigint NOT NULL REFERENCES requesters,
  task_type       text NOT NULL,
  provider_type   text NOT NULL,
  sandbox         boolean NOT NULL DEFAULT false,
  assignment_data jsonb NOT NULL DEFAULT '{}',
  creation_date   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX assignments_task_run ON assignments (task_run_id);

CREATE TABLE workers (
  worker_id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  worker_name   text NOT NULL UNIQUE,
  provider_type text NOT NULL,
  creation_date timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE units (
  unit_id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  assignment_id bigint NOT NULL REFERENCES assignments,
  unit_index    integer NOT NULL,
  pay_amount    double precision NOT NULL DEFAULT 0,
  provider_type text NOT NULL,
  status        text NOT NULL CHECK (status IN ('created', 'launched', 'assigned', 'completed',
                                                'accepted', 'rejected', 'soft_rejected', 'expired')),
  agent_id      bigint,
  worker_id     bigint REFERENCES workers,
  task_type     text NOT NULL,
  task_id       bigint NOT NULL REFERENCES tasks,
  task_run_id   bigint NOT NULL REFERENCES task_runs,
  sandbox       boolean NOT NULL DEFAULT false,
  requester_id  bigint NOT NULL REFERENCES requesters,
  creation_date timestamptz NOT NULL DEFAULT now(),
  UNIQUE (assignment_id, unit_index)
);
CREATE INDEX units_status ON units (status);
CREATE INDEX units_assignment ON units (assignment_id);
CREATE INDEX units_task_run ON units (task_run_id);
CREATE INDEX units_run_worker_status ON units (task_run_id, worker_id, status);
CREATE INDEX units_task_worker ON units (task_id, worker_id);
-- The registration hot path: the next launched unit of a run, without scanning the run.
CREATE INDEX units_launched ON units (task_run_id, unit_id) WHERE status = 'launched';

CREATE TABLE agents (
  agent_id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  worker_id       bigint NOT NULL REFERENCES workers,
  unit_id         bigint NOT NULL REFERENCES units,
  task_id         bigint NOT NULL REFERENCES tasks,
  task_run_id     bigint NOT NULL REFERENCES task_runs,
  assignment_id   bigint NOT NULL REFERENCES assignments,
  task_type       text NOT NULL,
  provider_type   text NOT NULL,
  status          text NOT NULL CHECK (status IN ('none', 'accepted', 'onboarding', 'waiting',
                    'in task', 'completed', 'disconnect', 'timeout', 'partner disconnect',
                    'expired', 'returned', 'approved', 'soft_rejected', 'rejected')),
  registration_id text NOT NULL DEFAULT '',
  creation_date   timestamptz NOT NULL DEFAULT now(),
  update_date     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX agents_worker_status ON agents (worker_id, status);
CREATE INDEX agents_task_run ON agents (task_run_id);
CREATE INDEX agents_registration ON agents (task_run_id, registration_id);
ALTER TABLE units ADD CONSTRAINT units_agent_fk FOREIGN KEY (agent_id) REFERENCES agents;

-- What the agent was given and what it returned.
CREATE TABLE agent_data (
  agent_id     bigint PRIMARY KEY REFERENCES agents,
  init_data    jsonb NOT NULL DEFAULT '{}',
  submission   jsonb,
  submitted_at timestamptz
);

CREATE TABLE onboarding_agents (
  onboarding_agent_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  worker_id           bigint NOT NULL REFERENCES workers,
  task_id             bigint NOT NULL REFERENCES tasks,
  task_run_id         bigint NOT NULL REFERENCES task_runs,
  task_type           text NOT NULL,
  status              text NOT NULL,
  creation_date       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE qualifications (
  qualification_id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  qualification_name text NOT NULL UNIQUE,
  description        text NOT NULL DEFAULT '',
  creation_date      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE granted_qualifications (
  granted_qualification_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  worker_id                bigint NOT NULL REFERENCES workers,
  qualification_id         bigint NOT NULL REFERENCES qualifications,
  value                    integer NOT NULL,
  update_date              timestamptz NOT NULL DEFAULT now(),
  creation_date            timestamptz NOT NULL DEFAULT now(),
  UNIQUE (worker_id, qualification_id)
);

CREATE TABLE worker_review (
  id                          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  unit_id                     bigint REFERENCES units,
  worker_id                   bigint NOT NULL REFERENCES workers,
  task_id                     bigint REFERENCES tasks,
  status                      text,
  review_note                 text,
  bonus                       integer,
  blocked_worker              boolean NOT NULL DEFAULT false,
  updated_qualification_id    bigint,
  updated_qualification_value integer,
  revoked_qualification_id    bigint,
  creation_date               timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX worker_review_unit ON worker_review (unit_id);

-- Errors reported by browsers through /log_error (and version-mismatch warnings).
CREATE TABLE client_errors (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  task_run_id   bigint REFERENCES task_runs,
  agent_id      text NOT NULL DEFAULT '',
  error_data    jsonb NOT NULL,
  creation_date timestamptz NOT NULL DEFAULT now()
);
