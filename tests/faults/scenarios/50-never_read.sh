# 50 WebSocket clients that never read a byte, held open through HAProxy during the workload.
workload_start never_read
node "$here/clients.cjs" never-read "127.0.0.1:$lb_port" 50 $(( short ? 6 : 30 )) \
  >"$work/never_read-clients.json" 2>"$work/never_read-clients.log" ||
  fail "never_read: the clients failed: $(tail -n 3 "$work/never_read-clients.log")"
workload_finish "50 clients never reading ($(jq -c . "$work/never_read-clients.json"))"
