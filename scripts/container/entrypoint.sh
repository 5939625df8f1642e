#!/bin/sh
# The image's entrypoint: the first argument picks the role, run the way `npm start` runs it
# (scripts/start.mjs): api and worker from their bundles with the Node flags of
# scripts/runtime-flags.mjs and MALLOC_ARENA_MAX=2, the portal through next-server.mjs (which
# gives it the peer address TRUST_PROXY needs). `exec` keeps the role's process the one that
# receives SIGTERM (run the container with --init / `init: true` so PID 1 reaps and forwards).
set -e
cd /app

node_flags() {
  node --input-type=module -e "const { NODE_FLAGS } = await import('/app/scripts/runtime-flags.mjs'); process.stdout.write(NODE_FLAGS['$1'].join(' '));"
}
runtime_env() {
  node --input-type=module -e "const { RUNTIME_ENV } = await import('/app/scripts/runtime-flags.mjs'); for (const [k, v] of Object.entries(RUNTIME_ENV)) process.stdout.write('export ' + k + '=' + v + '\n');"
}

role="${1:-api}"
[ "$#" -gt 0 ] && shift
# Every log line names its process (pino's `process` field), as under `npm start` and `serve`.
case "$role" in api | worker | web) export SIGHTLINE_PROCESS="$role" ;; esac
case "$role" in
  api | worker)
    eval "$(runtime_env)"
    flags="$(node_flags "$role")"
    cd "apps/$role"
    # shellcheck disable=SC2086 # the flags are separate words
    exec node $flags dist/main.mjs "$@"
    ;;
  web)
    cd apps/web
    export PORT="${WEB_PORT:-3000}"
    exec node next-server.mjs -p "$PORT" "$@"
    ;;
  migrate)
    exec node apps/api/bin/sightline.mjs migrate "$@"
    ;;
  sightline)
    exec node apps/api/bin/sightline.mjs "$@"
    ;;
  *)
    exec "$role" "$@"
    ;;
esac
