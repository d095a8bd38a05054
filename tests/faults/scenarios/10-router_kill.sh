# kill -9 each router in turn behind HAProxy, each restarted after a second on its ports:
# requests in flight fail and are retried through the other router.
workload_start router_kill
completed_at_least 25
kill -KILL "$r1_pid"; wait "$r1_pid" 2>/dev/null || true
sleep 1
fault_router router-one "$r1_port" "$r1_admin"
r1_pid=$router_pid
completed_at_least 55
kill -KILL "$r2_pid"; wait "$r2_pid" 2>/dev/null || true
sleep 1
fault_router router-two "$r2_port" "$r2_admin"
r2_pid=$router_pid
workload_finish "kill -9 router-one, then router-two" router-one router-two
