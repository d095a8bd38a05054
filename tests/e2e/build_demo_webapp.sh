# build_demo_webapp <example dir> <destination>: copies a demo task (its task.yaml, data and
# webapp sources) into the build tree and builds webapp/build/bundle.js with esbuild against
# the pinned npm packages (npm ci only when the lock file changed). Sourced by e2e scripts.
build_demo_webapp() {
  local demo=$1 app=$2
  mkdir -p "$app/webapp"
  cp "$demo"/task.yaml "$demo"/data.* "$app/"
  cp "$demo/webapp/package.json" "$demo/webapp/package-lock.json" "$app/webapp/"
  rm -rf "$app/webapp/src" && cp -r "$demo/webapp/src" "$app/webapp/src"
  if ! cmp -s "$app/webapp/package-lock.json" "$app/webapp/node_modules/.package-lock.json.installed"; then
    (cd "$app/webapp" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) ||
      { echo "FAIL: npm could not install the packages of $demo" >&2; return 1; }
    cp "$app/webapp/package-lock.json" "$app/webapp/node_modules/.package-lock.json.installed"
  fi
  rm -rf "$app/webapp/build"
  (cd "$app/webapp" && npm run --silent build >"$app/build.log" 2>&1) ||
    { cat "$app/build.log" >&2; echo "FAIL: $demo does not build" >&2; return 1; }
  [ -s "$app/webapp/build/bundle.js" ] || { echo "FAIL: $demo built no bundle.js" >&2; return 1; }
}

# use_paired_chat_demo: builds the paired chat demo into $BUILD/paired-chat-demo (sets app) and
# makes it the task run stack.sh launches (6 units, 3 chats).
use_paired_chat_demo() {
  app="$BUILD/paired-chat-demo"
  build_demo_webapp "$(dirname "${BASH_SOURCE[0]}")/../../examples/paired_chat_demo" "$app"
  export THRONG_E2E_TASK_CONFIG="$app/task.yaml" THRONG_E2E_UNITS=6
}
