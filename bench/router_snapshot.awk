# Prints, in protobuf text format, a throng.v1.MetricsSnapshot (proto/throng/v1/
# metrics_snapshot.proto) of a synthetic router with 2,000 series (lines of the exposition):
# 8 counter families x 125 label sets, 4 gauge families x 100, and 2 histogram families x 20
# label sets x 15 lines (12 bounds, +Inf, _sum, _count).
#   awk -v instance=<id> -v now_ms=<epoch ms> -f router_snapshot.awk
BEGIN {
  srand(length(instance) * 7919 + now_ms % 1000)
  printf "schema_version: 1\nservice: \"router\"\ninstance_id: \"%s\"\n", instance
  printf "boot_id: \"bench-%s\"\nseq: 1\npublished_ms: %d\ninterval_ms: 5000\n", instance, now_ms
  split("200 400 404 500 503", codes, " ")
  for (f = 0; f < 8; f++) {
    printf "families {\n  name: \"throng_router_bench_requests_%d_total\"\n", f
    printf "  help: \"Synthetic requests %d\"\n  type: METRIC_TYPE_COUNTER\n", f
    for (e = 0; e < 25; e++)
      for (c = 1; c <= 5; c++)
        printf "  samples { labels { name: \"code\" value: \"%s\" } labels { name: \"endpoint\" value: \"/endpoint-%d\" } value: %d }\n", codes[c], e, int(rand() * 1e6)
    print "}"
  }
  for (f = 0; f < 4; f++) {
    printf "families {\n  name: \"throng_router_bench_queue_%d\"\n", f
    printf "  help: \"Synthetic queue %d\"\n  type: METRIC_TYPE_GAUGE\n", f
    for (q = 0; q < 100; q++)
      printf "  samples { labels { name: \"queue\" value: \"q%d\" } value: %d }\n", q, int(rand() * 100)
    print "}"
  }
  bounds = "0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5"
  for (f = 0; f < 2; f++) {
    printf "families {\n  name: \"throng_router_bench_latency_%d_seconds\"\n", f
    printf "  help: \"Synthetic latency %d\"\n  type: METRIC_TYPE_HISTOGRAM\n", f
    for (p = 0; p < 20; p++) {
      cumulative = ""
      count = 0
      for (b = 0; b < 13; b++) {
        count += int(rand() * 1000)
        cumulative = cumulative (b ? ", " : "") count
      }
      printf "  samples { labels { name: \"packet_type\" value: \"type-%d\" } bucket_bounds: [%s] bucket_cumulative: [%s] sample_count: %d sample_sum: %.3f }\n", p, bounds, cumulative, count, count * 0.01
    }
    print "}"
  }
}
