#!/bin/sh
# Stand-in for the official redis image's entrypoint (scripts/container/stand-ins.sh): options
# alone mean `redis-server <options>`, it runs as user redis in /data, and protected mode is off
# by default as in the official build (the server listens on the container's network only).
set -e

if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then set -- redis-server "$@"; fi

if [ "$1" = redis-server ] && [ "$(id -u)" = 0 ]; then
  chown -R redis:redis /data
  exec setpriv --reuid=redis --regid=redis --init-groups "$0" "$@"
fi

if [ "$1" = redis-server ]; then
  shift
  # A config file must stay the first argument; options given later win over this default.
  if [ "${1%.conf}" != "${1:-}" ]; then
    conf="$1"
    shift
    set -- redis-server "$conf" --protected-mode no "$@"
  else
    set -- redis-server --protected-mode no "$@"
  fi
fi

exec "$@"
