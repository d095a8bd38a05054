#!/usr/bin/env bash
# `throng review` against a real PostgreSQL: a scratch database on the server named by
# THRONG_TEST_PG_DSN (tests/run.sh starts one), two runs of the static demo launched with the
# built CLI, workers registered and submitting through the operator's own SQL functions, then:
# list (table and --json), approve / reject / soft-reject (all or nothing, --all, --note),
# bonus, grant / revoke, block / unblock (registration refuses a blocked worker), every action
# a worker_review row, and the exit codes (0; 1 unknown run, unit or worker, a unit not
# awaiting review, database down; 2 usage, with the usage).
# Usage: cli_review_test.sh <build dir>; needs psql and jq.
set -euo pipefail
scratch_name=cli_review
source "$(dirname "$0")/cli_scratch_db.sh"

demo="$root/examples/static_demo/task.yaml"
run=$("$throng" launch "$demo" blueprint.block_qualification=review-test-blocked \
  --data-dir "$work/data" --json | jq -r .task_run_id)
other=$("$throng" launch "$demo" --data-dir "$work/data" --json | jq -r .task_run_id)
q "SELECT throng_launch_units($run), throng_launch_units($other)" >/dev/null

# register <run> <worker> <registration id>: prints "<outcome> <agent id> <unit id>".
register() {
  q "SELECT outcome || ' ' || COALESCE(agent_id::text, '-') || ' ' || COALESCE(unit_id::text, '-')
       FROM throng_register_worker($1, '$2', 'mock', '$3')"
}
submit() { # <agent id>
  [ "$(q "SELECT outcome FROM throng_submit_and_time_unit($1, '{\"sentiment\": \"positive\"}')")" = completed ] ||
    fail "agent $1 could not submit"
}
declare -A unit_of
for worker in w1 w2 w3; do
  read -r outcome agent unit <<<"$(register "$run" "$worker" "r-$worker")"
  [ "$outcome" = assigned ] || fail "$worker got no unit: $outcome"
  submit "$agent"
  unit_of[$worker]=$unit
done
read -r _ agent unit <<<"$(register "$run" w1 r-w1-second)"
submit "$agent"
unit_of[w1b]=$unit
read -r _ busy_agent busy_unit <<<"$(register "$run" w4 r-w4)"
[ "$(q "SELECT status FROM units WHERE unit_id = $busy_unit")" = assigned ] || fail "w4 holds no unit"
read -r _ other_agent other_unit <<<"$(register "$other" w1 r-other)"
submit "$other_agent"
check "run $run: four submitted units (w1 twice, w2, w3), w4 at work; run $other: one submitted"

# --- list
run_cli 0 review "$run" list
grep -q '^UNIT *WORKER *AGENT *SUBMITTED *SECONDS$' "$work/out" || fail "list header: $(cat "$work/out")"
[ "$(grep -cE '^[0-9]+ +w[0-9] ' "$work/out")" = 4 ] || fail "list rows: $(cat "$work/out")"
grep -q '^4 units awaiting review' "$work/out" || fail "list footer: $(cat "$work/out")"
run_cli 0 review "$run" list --json
jq -e --arg run "$run" --arg u1 "${unit_of[w1]}" '.task_run_id == $run and (.units | length) == 4
  and ([.units[].worker_name] | sort) == ["w1", "w1", "w2", "w3"]
  and (.units[] | select(.unit_id == $u1) | .data == {"sentiment": "positive"}
       and (.agent_id | test("^[0-9]+$")) and (.submitted_at | test("Z$")))' "$work/out" >/dev/null ||
  fail "list --json: $(cat "$work/out")"
check "list: the completed units, as a table and as JSON"

# --- approve two units; a unit not awaiting review or of another run stops the whole command.
run_cli 0 review "$run" approve "${unit_of[w1]}" "${unit_of[w2]}" --note "good work"
grep -q "approved 2 units (${unit_of[w1]}, ${unit_of[w2]})" "$work/out" || fail "approve: $(cat "$work/out")"
[ "$(q "SELECT u.status || '/' || a.status FROM units u JOIN agents a ON a.agent_id = u.agent_id
        WHERE u.unit_id IN (${unit_of[w1]}, ${unit_of[w2]}) GROUP BY 1")" = accepted/approved ] ||
  fail "approved units are not accepted/approved"
[ "$(q "SELECT count(*) FROM worker_review WHERE status = 'approved' AND review_note = 'good work'
        AND unit_id IN (${unit_of[w1]}, ${unit_of[w2]}) AND task_id IS NOT NULL")" = 2 ] ||
  fail "approvals not recorded in worker_review"
run_cli 1 review "$run" reject "${unit_of[w3]}" "$busy_unit" "${unit_of[w1]}" "$other_unit"
grep -q "unit $busy_unit is assigned, not awaiting review" "$work/err" || fail "assigned unit: $(cat "$work/err")"
grep -q "unit ${unit_of[w1]} is accepted, not awaiting review" "$work/err" || fail "reviewed unit: $(cat "$work/err")"
grep -q "unit $other_unit is not a unit of task run $run" "$work/err" || fail "other run's unit: $(cat "$work/err")"
grep -q "nothing was rejected" "$work/err" || fail "reject refusal: $(cat "$work/err")"
[ "$(q "SELECT status FROM units WHERE unit_id = ${unit_of[w3]}")" = completed ] ||
  fail "a refused reject changed unit ${unit_of[w3]}"
check "approve records the verdict and the note; a refused reject names each bad unit and changes nothing"

run_cli 0 review "$run" reject "${unit_of[w3]}" --json
jq -e --arg u "${unit_of[w3]}" '.status == "rejected" and .units == [$u]' "$work/out" >/dev/null ||
  fail "reject --json: $(cat "$work/out")"
run_cli 0 review "$run" soft-reject --all --json
jq -e --arg u "${unit_of[w1b]}" '.status == "soft_rejected" and .units == [$u]' "$work/out" >/dev/null ||
  fail "soft-reject --all: $(cat "$work/out")"
[ "$(q "SELECT u.status || '/' || a.status FROM units u JOIN agents a ON a.agent_id = u.agent_id
        WHERE u.unit_id = ${unit_of[w1b]}")" = soft_rejected/soft_rejected ] || fail "soft-reject statuses"
run_cli 0 review "$run" list
grep -q "has no units awaiting review" "$work/out" || fail "list after review: $(cat "$work/out")"
run_cli 0 review "$run" approve --all
grep -q "has no units awaiting review" "$work/out" || fail "approve --all with nothing to review: $(cat "$work/out")"
check "reject, soft-reject --all; nothing left to review"

# --- bonus
run_cli 0 review "$run" bonus "${unit_of[w1]}" 0.5 --note "thorough"
grep -q "bonus of 0.50 for worker w1 (unit ${unit_of[w1]}) recorded" "$work/out" || fail "bonus: $(cat "$work/out")"
[ "$(q "SELECT bonus || ' ' || review_note FROM worker_review WHERE bonus IS NOT NULL")" = "50 thorough" ] ||
  fail "bonus not recorded in cents"
run_cli 0 review "$run" bonus "${unit_of[w1b]}" 2 --json
jq -e '.bonus_cents == 200 and .worker_name == "w1"' "$work/out" >/dev/null || fail "bonus --json: $(cat "$work/out")"
run_cli 1 review "$run" bonus "${unit_of[w3]}" 1.00
grep -q "unit ${unit_of[w3]} is rejected" "$work/err" || fail "bonus on a rejected unit: $(cat "$work/err")"
run_cli 1 review "$run" bonus "$busy_unit" 1.00
run_cli 1 review "$run" bonus "$other_unit" 1.00
grep -q "not a unit of task run $run" "$work/err" || fail "bonus on another run's unit: $(cat "$work/err")"
run_cli 2 review "$run" bonus "${unit_of[w1]}" -1  # an unknown option to docopt
grep -q '^Usage:' "$work/err" || fail "bonus -1: $(cat "$work/err")"
for amount in 0 0.00 abc 1.234 .5; do
  run_cli 2 review "$run" bonus "${unit_of[w1]}" "$amount"
  grep -q "<amount> is a bonus above 0" "$work/err" && grep -q '^Usage:' "$work/err" ||
    fail "bonus $amount: $(cat "$work/err")"
done
check "bonus: recorded in cents; refused for rejected, unsubmitted or foreign units; bad amounts are usage errors"

# --- grant / revoke
run_cli 0 review "$run" grant w2 review-skill 3 --note "trusted"
grep -q "w2: granted 'review-skill' = 3" "$work/out" || fail "grant: $(cat "$work/out")"
[ "$(q "SELECT throng_granted_value(throng_find_worker('w2', 'mock'), 'review-skill', -1)")" = 3 ] ||
  fail "grant did not grant 3"
run_cli 0 review "$run" grant w2 review-skill --json
jq -e '.value == 1 and .changed == true' "$work/out" >/dev/null || fail "grant default: $(cat "$work/out")"
[ "$(q "SELECT count(*) FROM worker_review r JOIN qualifications q
        ON q.qualification_id = r.updated_qualification_id
        WHERE q.qualification_name = 'review-skill' AND r.unit_id IS NULL")" = 2 ] ||
  fail "grants not recorded in worker_review"
run_cli 0 review "$run" revoke w2 review-skill
grep -q "w2: revoked 'review-skill'" "$work/out" || fail "revoke: $(cat "$work/out")"
[ "$(q "SELECT count(*) FROM worker_review WHERE revoked_qualification_id IS NOT NULL")" = 1 ] ||
  fail "revoke not recorded"
run_cli 0 review "$run" revoke w2 review-skill
grep -q "did not have 'review-skill'; nothing changed" "$work/out" || fail "second revoke: $(cat "$work/out")"
run_cli 1 review "$run" revoke w2 no-such-qualification
grep -q "no qualification named 'no-such-qualification'" "$work/err" || fail "unknown qualification: $(cat "$work/err")"
run_cli 1 review "$run" grant nobody review-skill
grep -q "no mock worker named 'nobody'" "$work/err" || fail "unknown worker: $(cat "$work/err")"
run_cli 2 review "$run" grant w2 review-skill high
check "grant (value, default 1), revoke, unknown worker or qualification"

# --- block / unblock: the requester's block (every run of the requester) and the run's own
# block qualification, enforced at registration.
requester=$(q "SELECT q.requester_name FROM task_runs r JOIN requesters q USING (requester_id) WHERE task_run_id = $run")
run_cli 0 review "$run" block w2 --note "spam"
grep -q "worker w2 blocked from every run of requester '$requester' and of every run that names block qualification 'review-test-blocked'" \
  "$work/out" || fail "block: $(cat "$work/out")"
[ "$(q "SELECT count(*) FROM worker_review WHERE blocked_worker AND review_note = 'spam'")" = 2 ] ||
  fail "block not recorded (a row per qualification granted)"
read -r outcome _ <<<"$(register "$run" w2 r-w2-after-block)"
[ "$outcome" = not_qualified ] || fail "a blocked worker registered: $outcome"
read -r outcome _ <<<"$(register "$other" w2 r-w2-other-after-block)"
[ "$outcome" = not_qualified ] || fail "a blocked worker registered on another run of the requester: $outcome"
read -r outcome _ <<<"$(register "$run" w3 r-w3-after-block)"
[ "$outcome" = assigned ] || fail "an unblocked worker was refused: $outcome"
run_cli 0 review "$run" unblock w2 --json
jq -e --arg blocked "blocked-by-requester:$requester" '.blocked == false and .changed == true
  and .qualifications == [$blocked, "review-test-blocked"]' \
  "$work/out" >/dev/null || fail "unblock --json: $(cat "$work/out")"
read -r outcome _ <<<"$(register "$run" w2 r-w2-after-unblock)"
[ "$outcome" = assigned ] || fail "an unblocked worker is still refused: $outcome"
run_cli 0 review "$run" unblock w2
grep -q "was not blocked" "$work/out" || fail "second unblock: $(cat "$work/out")"
# A run without a block qualification of its own: the requester's block still holds.
run_cli 0 review "$other" block w1
grep -q "worker w1 blocked from every run of requester '$requester'; units it holds stay its own" \
  "$work/out" || fail "block on a run without a block qualification: $(cat "$work/out")"
read -r outcome _ <<<"$(register "$other" w1 r-w1-other-after-block)"
[ "$outcome" = not_qualified ] || fail "the requester's block did not hold on run $other: $outcome"
run_cli 0 review "$other" unblock w1
check "block keeps the worker out of every run of the requester, unblock lets it back"

# --- usage and failures
for args in "review $run approve" "review $run approve ${unit_of[w1]} --all" "review $run list --all" \
            "review $run list --force" "review $run bonus ${unit_of[w1]} 1 --all" "review x1 list" \
            "review $run approve 12x" "review $run grant w2"; do
  run_cli 2 $args
  grep -q '^Usage:' "$work/err" || fail "throng $args: no usage: $(cat "$work/err")"
done
run_cli 1 review 99999 list
grep -q "no task run 99999" "$work/err" || fail "unknown run: $(cat "$work/err")"
THRONG_PG_DSN="postgresql://throng@127.0.0.1:1/none" run_cli 1 review "$run" list
grep -q "cannot connect to PostgreSQL" "$work/err" || fail "database down: $(cat "$work/err")"
check "usage errors exit 2 with the usage; unknown run and database down exit 1"
