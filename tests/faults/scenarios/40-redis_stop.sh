# Redis stopped for 30 s (5 s in the short suite), started again without its data: workers
# are not affected, the metrics come back and never go down.
if [ $short = 1 ]; then redis_down=5; else redis_down=30; fi
workload_start redis_stop
completed_at_least 10
throng_stop_redis "$servers/redis"
sleep "$redis_down"
throng_start_redis "$servers/redis" "$redis_port"
# Give the services and the aggregator a few snapshot intervals to fill Redis again.
sleep 3
workload_finish "Redis stopped ${redis_down} s"
