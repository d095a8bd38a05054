# Sourced by the benchmarks that need PostgreSQL (after deploy/local/services.sh).

# bench_scratch_database <name prefix> <build dir> makes a scratch database, migrated by the
# build's `throng db migrate`, and sets scratch (a temporary directory), dsn and sql (a
# function running one statement, tuples only). With THRONG_TEST_PG_DSN set the database is
# created on that server, else a throwaway PostgreSQL is started on a free port; both, and the
# directory, are removed when the script exits.
bench_scratch_database() {
  local prefix=$1 build=$2 server_dsn
  scratch=$(mktemp -d /tmp/throng-bench.XXXXXX)
  chmod 755 "$scratch"
  bench_db="${prefix}_$$"
  if [ -n "${THRONG_TEST_PG_DSN:-}" ]; then
    server_dsn=$THRONG_TEST_PG_DSN
    bench_server_dsn=$server_dsn
    cleanup() { psql "$bench_server_dsn" -qc "DROP DATABASE IF EXISTS $bench_db WITH (FORCE)" >/dev/null 2>&1 || true; rm -rf "$scratch"; }
  else
    local pg_port
    pg_port=$(throng_free_port)
    throng_log "starting a throwaway PostgreSQL on 127.0.0.1:$pg_port"
    throng_start_postgres "$scratch/pg" "$pg_port"
    server_dsn="postgresql://throng@127.0.0.1:$pg_port/throng"
    cleanup() { throng_stop_postgres "$scratch/pg"; rm -rf "$scratch"; }
  fi
  trap cleanup EXIT
  psql "$server_dsn" -qc "CREATE DATABASE $bench_db" >/dev/null
  dsn="${server_dsn%/*}/$bench_db"
  sql() { psql "$dsn" -v ON_ERROR_STOP=1 -qtAc "$1"; }
  "$build/bin/throng" db migrate --pg-dsn "$dsn" >/dev/null 2>&1 || throng_die "throng db migrate failed"
}

# make_run <task name> <n> [status]: a run of <n> units (launched unless told), one per
# assignment, as `throng launch` creates from a CSV; prints its id.
make_run() {
  local name=$1 n=$2 status=${3:-launched}
  psql "$dsn" -v ON_ERROR_STOP=1 -qtA <<SQL
INSERT INTO requesters (requester_name, provider_type) VALUES ('bench_requester', 'mock')
  ON CONFLICT (requester_name) DO NOTHING;
INSERT INTO tasks (task_name, task_type) VALUES ('$name', 'static_task');
WITH r AS (
  INSERT INTO task_runs (task_id, requester_id, init_params, provider_type, task_type,
                         max_num_concurrent_units, allowed_concurrent, maximum_units_per_worker)
  SELECT t.task_id, q.requester_id, '{}', 'mock', 'static_task', 0, 1, 0
    FROM tasks t, requesters q WHERE t.task_name = '$name' AND q.requester_name = 'bench_requester'
  RETURNING task_id, task_run_id, requester_id),
a AS (
  INSERT INTO assignments (task_id, task_run_id, requester_id, task_type, provider_type, assignment_data)
  SELECT r.task_id, r.task_run_id, r.requester_id, 'static_task', 'mock',
         jsonb_build_object('shared', jsonb_build_object('item_id', g::text,
                            'sentence', 'Sentence number ' || g || ' of the benchmark.'))
    FROM r, generate_series(1, $n) g
  RETURNING assignment_id, task_id, task_run_id, requester_id)
INSERT INTO units (assignment_id, unit_index, pay_amount, provider_type, status, task_type,
                   task_id, task_run_id, requester_id)
SELECT assignment_id, 0, 0.01, 'mock', '$status', 'static_task', task_id, task_run_id, requester_id
  FROM a ORDER BY assignment_id;
SELECT task_run_id FROM task_runs r JOIN tasks t USING (task_id) WHERE t.task_name = '$name';
SQL
}

# complete_first <run> <percent>: that share of the run's units completed by 2,000 earlier
# workers, each unit with its agent and stored submission.
complete_first() {
  psql "$dsn" -v ON_ERROR_STOP=1 -q <<SQL
INSERT INTO workers (worker_name, provider_type)
SELECT 'earlier-worker-' || g, 'mock' FROM generate_series(1, 2000) g
ON CONFLICT (worker_name, provider_type) DO NOTHING;
WITH finished AS (
  SELECT unit_id, assignment_id, task_id, task_run_id, row_number() OVER (ORDER BY unit_id) AS n
    FROM units WHERE task_run_id = $1 ORDER BY unit_id
   LIMIT (SELECT count(*) * $2 / 100 FROM units WHERE task_run_id = $1)),
made AS (
  INSERT INTO agents (worker_id, unit_id, task_id, task_run_id, assignment_id, task_type,
                      provider_type, status, registration_id)
  SELECT w.worker_id, f.unit_id, f.task_id, f.task_run_id, f.assignment_id, 'static_task', 'mock',
         'completed', 'earlier-' || f.unit_id
    FROM finished f JOIN workers w ON w.worker_name = 'earlier-worker-' || (1 + f.n % 2000)
                                  AND w.provider_type = 'mock'
  RETURNING agent_id, unit_id, worker_id)
UPDATE units u SET status = 'assigned', agent_id = m.agent_id, worker_id = m.worker_id
  FROM made m WHERE u.unit_id = m.unit_id;
-- Completed through 'assigned', as the unit state machine requires (docs/state-machines.md).
UPDATE units SET status = 'completed' WHERE task_run_id = $1 AND status = 'assigned';
INSERT INTO agent_data (agent_id, init_data, submission, submitted_at)
SELECT a.agent_id, s.assignment_data -> 'shared', '{"sentiment": "positive"}', now()
  FROM agents a JOIN assignments s USING (assignment_id) WHERE a.task_run_id = $1;
SQL
}
