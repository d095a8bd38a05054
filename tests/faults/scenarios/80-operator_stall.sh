# The routers' link to the operator stalls (the proxy stops moving bytes, connections stay
# open) for longer than the routers' request timeout, then flows again: held requests time
# out (504) and are retried; a submission the operator stored meanwhile is not stored twice.
stall_seconds=$(( short ? 7 : 20 ))
workload_start operator_stall
completed_at_least 30
stall pause
sleep "$stall_seconds"
stall resume
workload_finish "router-operator link stalled ${stall_seconds} s"
