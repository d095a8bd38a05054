# 500 WebSocket clients connected through HAProxy, all dropped and all reconnecting at once,
# three times, during the workload: every reconnection is upgraded.
workload_start reconnect_storm
node "$here/clients.cjs" reconnect-storm "127.0.0.1:$lb_port" 500 3 \
  >"$work/reconnect_storm-clients.json" 2>"$work/reconnect_storm-clients.log" ||
  fail "reconnect_storm: $(cat "$work/reconnect_storm-clients.json" "$work/reconnect_storm-clients.log")"
workload_finish "500 clients reconnecting at once x3 ($(jq -c "del(.errors)" "$work/reconnect_storm-clients.json"))"
