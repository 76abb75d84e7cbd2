#!/usr/bin/env bash
# Registers an origin with a Bascule fleet for as long as this script runs: a key under an etcd lease that it keeps
# alive. Every instance of the fleet adds the server within a second; when this script stops (or the machine dies),
# the lease ends and every instance drains and removes it.
#
#   register-origin.sh FLEET UPSTREAM HOST:PORT [WEIGHT] [TTL_SECONDS]
#   ETCDCTL_ENDPOINTS=http://etcd-1:2379,http://etcd-2:2379 register-origin.sh labs web-green 10.0.0.7:8080 2
#
# Needs etcdctl (Debian package etcd-client). Run it beside the origin, started after it is ready to serve.
set -euo pipefail
if [ $# -lt 3 ]; then
  sed -n '6,7p' "$0" | sed 's/^# *//' >&2
  exit 2
fi
fleet=$1 upstream=$2 address=$3 weight=${4:-1} ttl=${5:-10}
export ETCDCTL_API=3
key="/bascule/$fleet/upstreams/$upstream/servers/$address"
lease=$(etcdctl lease grant "$ttl" | awk '{print $2}')
# A clean stop revokes the lease: the fleet drains the server at once instead of after the TTL.
trap 'etcdctl lease revoke "$lease" >/dev/null 2>&1 || true' EXIT
etcdctl put --lease="$lease" "$key" "{\"weight\": $weight}" >/dev/null
echo "registered $address in upstream $upstream of fleet $fleet (lease $lease, ${ttl}s)" >&2
etcdctl lease keep-alive "$lease" >/dev/null
