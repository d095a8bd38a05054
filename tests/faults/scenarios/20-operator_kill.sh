# kill -9 the operator, restarted after 1-2 s on the same database and ports.
workload_start operator_kill
completed_at_least 40
kill -KILL "$op_pid"; wait "$op_pid" 2>/dev/null || true
sleep "1.$((RANDOM % 10))"
start_operator
operator_back
workload_finish "kill -9 operator" operator
