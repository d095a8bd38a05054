# A client sending 10 MB WebSocket frames during the workload: each is refused (over the
# routers' frame limit, close 1009) and counted as frame_too_large; the workers are not slowed.
frames=$(( short ? 3 : 10 ))
workload_start big_frames
node "$here/clients.cjs" big-frames "127.0.0.1:$lb_port" "$frames" \
  >"$work/big_frames-clients.json" 2>"$work/big_frames-clients.log" ||
  fail "big_frames: not every 10 MB frame was refused: $(cat "$work/big_frames-clients.json" "$work/big_frames-clients.log")"
workload_finish "$frames frames of 10 MB, all refused"
counted() {
  awk '$1 ~ /^router-(one|two)$/ && /throng_router_rejected_requests_total/ && /reason="frame_too_large"/ { n += $NF }
    END { print n + 0 }' "$1"
}
[ $(( $(counted "$work/big_frames-after.prom") - $(counted "$work/big_frames-before.prom") )) -ge "$frames" ] ||
  fail "big_frames: the routers counted fewer than $frames frame_too_large rejections"
