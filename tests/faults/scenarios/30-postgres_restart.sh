# PostgreSQL stopped (fast shutdown: every connection cut) and started again 2 s later; the
# operator, which exits when its lease connection breaks, is started again (supervise).
workload_start postgres_restart
completed_at_least 40
throng_stop_postgres "$servers/pg"
sleep 2
throng_start_postgres "$servers/pg" "$pg_port"
operator_back
workload_finish "PostgreSQL restart (2 s down)"
