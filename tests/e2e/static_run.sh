# static_run <name> <units> [<override>...]: launches a static task run (the demo's page) over
# <units> generated sentences that name the run, so a unit served to the wrong run shows;
# prints the run id. Source it after stack.sh (it uses BUILD, root and work).
static_run() {
  local name=$1 units=$2
  shift 2
  mkdir -p "$work/$name"
  cp "$root/examples/static_demo/task.html" "$work/$name/task.html"
  awk -v n="$units" -v run="$name" 'BEGIN { print "item_id,sentence";
    for (i = 1; i <= n; i++) printf "%s-%d,Sentence %d of %s.\n", run, i, i, run }' \
    >"$work/$name/data.csv"
  cat >"$work/$name/task.yaml" <<YAML
blueprint:
  type: static_task
  task_source: task.html
  data_csv: data.csv
task:
  task_name: throng-e2e-$name
  task_title: Rate a sentence
YAML
  "$BUILD/bin/throng" launch "$work/$name/task.yaml" "$@" --data-dir "$work/data" --json |
    jq -r .task_run_id
}
