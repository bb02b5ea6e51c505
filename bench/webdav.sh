#!/usr/bin/env bash
# WebDAV benchmark: the same real clients (curl, rclone, python http.client) against dadgate and against
# Apache mod_dav and nginx (dav + dav_ext), one server at a time, on 127.0.0.1, through peerbench
# --proto webdavs (HTTPS) and --proto webdav (plain HTTP), plus PROPFIND Depth 1 of a folder of 10,000
# entries (bench/propfind.py); then markdown reports and the ratios dadgate/peer. Same pattern as
# bench/sftp.sh and bench/ftps.sh (shared code in bench/lib.sh); see docs/benchmarks.md.
#
#   bench/webdav.sh [peerbench run options...]      e.g. bench/webdav.sh --workloads W1,W4 --repeat 1
#
# Builds nothing: expects build/dadgate and build/dadctl. Runs as root (the peers need a system user).
# Everything it starts is stopped on exit (by recorded PID).
#
# Environment (all optional): as bench/sftp.sh (QUICK=1, W1_MIB ..., REPEAT, OUT, KEEP, W2_FRESH, DADGATE,
# DADCTL, DADGATE_DEFINES, DADGATE_PERF, PEERBENCH, PEERS_DIR), and
#   WORKLOADS=W1,W2,W4,W5         peerbench workloads over HTTPS (W3 too if asked)
#   HTTP_WORKLOADS=W1             peerbench workloads over plain HTTP ("" for none)
#   PROPFIND_ENTRIES=10000 PROPFIND_REQUESTS=20   the P1 workload ("PROPFIND_ENTRIES=0" skips it);
#                                 QUICK=1: 1000 entries, 10 requests
#   IDLE_SESSIONS="200 5000"      W5 at scale (bench/idle_https.py): that many idle kept-alive HTTPS
#                                 connections held at once, KiB of server RSS each and PROPFIND latency
#                                 while held ("" skips it; peerbench's W5 re-sends a PROPFIND every 2 s
#                                 on each connection, which cannot hold thousands)
#   SERVERS="dadgate apache nginx"                 which servers to run, in that order
#   DADGATE_HTTPS_PORT=2443 DADGATE_HTTP_PORT=2480 APACHE_HTTPS_PORT=8443 APACHE_HTTP_PORT=8080
#   NGINX_HTTPS_PORT=8444 NGINX_HTTP_PORT=8081     loopback ports
#   PB_ROOT=/tmp/peerbench-webdavbench             the peers' config and data (on disk, not tmpfs)
# Results in $OUT: <server>.https.jsonl, <server>.http.jsonl, <server>.propfind.jsonl, logs,
# report.https.md report.http.md, ratios.https.md ratios.http.md ratios.propfind.md.
set -euo pipefail

BENCH=webdav.sh
DADGATE_HTTPS_PORT=${DADGATE_HTTPS_PORT:-2443}
DADGATE_HTTP_PORT=${DADGATE_HTTP_PORT:-2480}
APACHE_HTTPS_PORT=${APACHE_HTTPS_PORT:-8443}
APACHE_HTTP_PORT=${APACHE_HTTP_PORT:-8080}
NGINX_HTTPS_PORT=${NGINX_HTTPS_PORT:-8444}
NGINX_HTTP_PORT=${NGINX_HTTP_PORT:-8081}
SERVERS=${SERVERS:-dadgate apache nginx}
export PB_ROOT=${PB_ROOT:-/tmp/peerbench-webdavbench}
DEFAULT_W2_MODES=rclone,seq
: "${WORKLOADS:=W1,W2,W4,W5}"
HTTP_WORKLOADS=${HTTP_WORKLOADS-W1}
IDLE_SESSIONS=${IDLE_SESSIONS-200 5000}
if [ "${QUICK:-0}" = 1 ]; then
  : "${PROPFIND_ENTRIES:=1000}" "${PROPFIND_REQUESTS:=10}"
fi
PROPFIND_ENTRIES=${PROPFIND_ENTRIES:-10000}; PROPFIND_REQUESTS=${PROPFIND_REQUESTS:-20}
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_init curl rclone -- "$@"
bench_env "apache: $(/usr/sbin/apache2 -v 2>/dev/null | head -1 || echo 'not installed yet')" \
          "nginx: $(/usr/sbin/nginx -v 2>&1 | head -1 || echo 'not installed yet')" \
          "http workloads: $HTTP_WORKLOADS; propfind: $PROPFIND_ENTRIES entries, $PROPFIND_REQUESTS requests"

# bench_server LABEL HTTPS_PORT HTTP_PORT REMOTE_DIR PID [peerbench args]: HTTPS, HTTP and P1 against one server.
bench_server() {
  local label=$1 https=$2 http=$3 dir=$4 pid=$5; shift 5
  pb webdavs "$WORKLOADS" "$OUT/$label.https.jsonl" "$label" --port "$https" --remote-dir "$dir" \
      --server-pid "$pid" "$@"
  if [ -n "$HTTP_WORKLOADS" ]; then
    pb webdav "$HTTP_WORKLOADS" "$OUT/$label.http.jsonl" "$label" --port "$http" --remote-dir "$dir" \
        --server-pid "$pid" "$@"
  fi
  for n in $IDLE_SESSIONS; do
    python3 "$REPO/bench/idle_https.py" --port "$https" --user "$PB_USER" --password "$PB_PASS" --path "$dir" \
        --pid "$pid" --sessions "$n" --label "$label" >> "$OUT/$label.idle.jsonl" 2>> "$OUT/$label.idle.log" \
      || echo "$BENCH: idle sessions against $label failed (see $OUT/$label.idle.log)" >&2
  done
  if [ "$PROPFIND_ENTRIES" -gt 0 ]; then
    python3 "$REPO/bench/propfind.py" --url "https://127.0.0.1:$https$dir" --label "$label" --server-pid "$pid" \
        --entries "$PROPFIND_ENTRIES" --requests "$PROPFIND_REQUESTS" --repeat "$REPEAT" \
        --out "$OUT/$label.propfind.jsonl" >> "$OUT/$label.propfind.log" 2>&1 \
      || echo "$BENCH: propfind against $label failed (see $OUT/$label.propfind.log)" >&2
  fi
}

run_dadgate() {
  port_free "$DADGATE_HTTP_PORT" || die "port $DADGATE_HTTP_PORT busy (set DADGATE_HTTP_PORT)"
  start_dadgate "$DADGATE_HTTPS_PORT" sftp.port=0 ftp.port=0 ftps.port=0 https.address=127.0.0.1 \
      "https.port=$DADGATE_HTTPS_PORT" "http.port=$DADGATE_HTTP_PORT" \
      https.max_connections_per_address=10000 `# W5 holds its sessions from one address, as peers allow` \
      https.keep_alive_seconds=300  # longer than the idle hold (nginx: keepalive_timeout 75s)
  bench_server dadgate "$DADGATE_HTTPS_PORT" "$DADGATE_HTTP_PORT" /files/ "$DG_PID"
  stop_dadgate
}

run_peer() {  # run_peer NAME HTTPS_PORT HTTP_PORT
  local name=$1 https=$2 http=$3
  port_free "$https" && port_free "$http" || die "port $https or $http busy"
  start_peer "$name" "HTTPS_PORT=$https" "HTTP_PORT=$http"
  bench_server "$name" "$https" "$http" / "$PEER_PID" --server-dir-local "$PB_ROOT/$name/data"
  stop_peer "$name"
}

for s in $SERVERS; do
  case $s in
    dadgate) run_dadgate ;;
    apache) run_peer apache "$APACHE_HTTPS_PORT" "$APACHE_HTTP_PORT" ;;
    nginx) run_peer nginx "$NGINX_HTTPS_PORT" "$NGINX_HTTP_PORT" ;;
    *) die "unknown server $s (dadgate, apache, nginx)" ;;
  esac
done

peers=()
for s in $SERVERS; do [ "$s" != dadgate ] && peers+=("$s"); done
bench_report .https "${peers[@]+"${peers[@]}"}" || true
[ -z "$HTTP_WORKLOADS" ] || bench_report .http "${peers[@]+"${peers[@]}"}" || true
: > "$OUT/ratios.propfind.md"
for p in "${peers[@]+"${peers[@]}"}"; do
  [ -s "$OUT/dadgate.propfind.jsonl" ] && [ -s "$OUT/$p.propfind.jsonl" ] || continue
  python3 "$REPO/bench/ratios.py" --subject dadgate --reference "$p" "$OUT/dadgate.propfind.jsonl" \
      "$OUT/$p.propfind.jsonl" >> "$OUT/ratios.propfind.md"
done
cat "$OUT/ratios.propfind.md"
cat "$OUT"/*.idle.jsonl 2>/dev/null || true
echo "results in $OUT"
