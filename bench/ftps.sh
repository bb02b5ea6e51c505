#!/usr/bin/env bash
# FTPS benchmark: the same real clients (curl --ssl-reqd, lftp, python ftplib) against dadgate's explicit FTPS
# listener and against vsftpd and ProFTPD (mod_tls), one server at a time, on 127.0.0.1, through peerbench
# --proto ftps; then a markdown report and the ratios dadgate/peer. Same pattern as bench/sftp.sh; see
# docs/benchmarks.md.
#
#   bench/ftps.sh [peerbench run options...]      e.g. bench/ftps.sh --workloads W1,W4 --repeat 1
#
# Builds nothing: expects build/dadgate and build/dadctl. Runs as root (the peers need a system user).
# Everything it starts is stopped on exit (by recorded PID).
#
# Environment (all optional): as bench/sftp.sh (QUICK=1, W1_MIB ..., WORKLOADS, REPEAT, OUT, KEEP, W2_FRESH,
# DADGATE, DADCTL, DADGATE_DEFINES, DADGATE_PERF, PEERBENCH, PEERS_DIR), and
#   SERVERS="dadgate vsftpd proftpd"      which servers to run, in that order
#   DADGATE_PORT=2191  VSFTPD_PORT=2124  PROFTPD_PORT=2121   loopback ports (explicit FTPS)
#   PB_ROOT=/tmp/peerbench-ftpsbench      the peers' config and data (on disk, not tmpfs)
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
PEERBENCH=${PEERBENCH:-$REPO/../shared/bench/peerbench}
PEERS_DIR=${PEERS_DIR:-$(dirname "$PEERBENCH")/peers}
DADGATE=${DADGATE:-$REPO/build/dadgate}
DADCTL=${DADCTL:-$REPO/build/dadctl}
DADGATE_PORT=${DADGATE_PORT:-2191}
VSFTPD_PORT=${VSFTPD_PORT:-2124}
PROFTPD_PORT=${PROFTPD_PORT:-2121}
SERVERS=${SERVERS:-dadgate vsftpd proftpd}
export PB_ROOT=${PB_ROOT:-/tmp/peerbench-ftpsbench}
export PB_USER=pbuser PB_PASS=pbpass
OUT=${OUT:-/tmp/dadgate-bench-$(date +%Y%m%d-%H%M%S)}

if [ "${QUICK:-0}" = 1 ]; then
  : "${W1_MIB:=256}" "${W2_FILES:=500}" "${W3_CLIENTS:=4}" "${W3_MIB:=64}" "${W4_CYCLES:=50}" "${W5_SESSIONS:=50}" "${REPEAT:=1}"
fi
W1_MIB=${W1_MIB:-1024}; W2_FILES=${W2_FILES:-2000}; W2_KIB=${W2_KIB:-8}
W3_CLIENTS=${W3_CLIENTS:-16}; W3_MIB=${W3_MIB:-64}; W4_CYCLES=${W4_CYCLES:-300}; W5_SESSIONS=${W5_SESSIONS:-200}
WORKLOADS=${WORKLOADS:-W1,W2,W3,W4,W5}; REPEAT=${REPEAT:-3}

die() { echo "ftps.sh: $*" >&2; exit 1; }
[ -x "$PEERBENCH" ] || die "peerbench not found at $PEERBENCH (set PEERBENCH)"
[ -x "$DADGATE" ] && [ -x "$DADCTL" ] || die "need $DADGATE and $DADCTL: run scripts/build.sh first"
[ "$(id -u)" = 0 ] || die "run as root (the FTP peers need a system user)"
for tool in curl lftp rclone ss python3; do
  command -v "$tool" >/dev/null || die "missing $tool: apt-get install -y curl lftp rclone iproute2 python3"
done
port_free() { ! ss -Hltn "sport = :$1" | grep -q .; }

mkdir -p "$OUT"
DATA=""; DG_PID=""; W2_DIR=/dev/shm/peerbench-ftpsbench-w2.$$; PEER_PIDF=""; PEER_STARTED=0; PERF_PID=""; CG=""

stop_pid() {  # stop_pid PID: TERM, wait up to 10 s, then KILL
  local pid=$1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  echo "ftps.sh: $pid did not stop in 10 s, killing" >&2
  kill -9 "$pid" 2>/dev/null || true
}

cleanup() {
  set +e
  [ -n "$PERF_PID" ] && { kill -INT "$PERF_PID" 2>/dev/null; wait "$PERF_PID" 2>/dev/null; }
  [ -n "$DG_PID" ] && stop_pid "$DG_PID"
  if [ "$PEER_STARTED" = 1 ] && [ -s "$PEER_PIDF" ]; then stop_pid "$(cat "$PEER_PIDF")"; rm -f "$PEER_PIDF"; fi
  [ -n "$CG" ] && rmdir "$CG" 2>/dev/null
  [ -n "$DATA" ] && [ "${KEEP:-0}" != 1 ] && rm -rf "$DATA"
  rm -rf "$W2_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --workloads/--repeat/--w2-modes given as arguments win over the environment; the rest goes to peerbench.
EXTRA=(); W2_MODES=${W2_MODES:-rclone,seq}
while [ $# -gt 0 ]; do
  case $1 in
    --workloads) WORKLOADS=$2; shift 2 ;;  --workloads=*) WORKLOADS=${1#*=}; shift ;;
    --repeat) REPEAT=$2; shift 2 ;;        --repeat=*) REPEAT=${1#*=}; shift ;;
    --w2-modes) W2_MODES=$2; shift 2 ;;    --w2-modes=*) W2_MODES=${1#*=}; shift ;;
    *) EXTRA+=("$1"); shift ;;
  esac
done
set -- "${EXTRA[@]+"${EXTRA[@]}"}"
PB_ARGS=(--w1-mib "$W1_MIB" --w2-files "$W2_FILES" --w2-kib "$W2_KIB" --w3-clients "$W3_CLIENTS"
         --w3-mib "$W3_MIB" --w4-cycles "$W4_CYCLES" --w5-sessions "$W5_SESSIONS" --w2-modes "$W2_MODES")
W2_FRESH=${W2_FRESH:-1}
MAIN_WL=$WORKLOADS; RUN_W2=0
if [ "$W2_FRESH" = 1 ] && [[ ",${WORKLOADS^^}," == *,W2,* ]]; then
  RUN_W2=1
  MAIN_WL=$(echo "${WORKLOADS^^}" | tr ',' '\n' | grep -vx 'W2' | paste -sd, - || true)
fi

# pb LABEL ARGS... : the peerbench runs against one server (results appended to $OUT/LABEL.jsonl)
pb() {
  local label=$1; shift
  local rc=0
  if [ -n "$MAIN_WL" ]; then
    "$PEERBENCH" run --proto ftps --host 127.0.0.1 --user "$PB_USER" --password "$PB_PASS" --label "$label" \
        "${PB_ARGS[@]}" "$@" --workloads "$MAIN_WL" --repeat "$REPEAT" --out "$OUT/$label.jsonl" \
        >> "$OUT/$label.log" 2>&1 || rc=$?
  fi
  if [ "$RUN_W2" = 1 ]; then
    local r m
    for r in $(seq 1 "$REPEAT"); do
      for m in ${W2_MODES//,/ }; do
        rm -rf "$W2_DIR"; mkdir -p "$W2_DIR"
        PB_CLIENT_DIR=$W2_DIR "$PEERBENCH" run --proto ftps --host 127.0.0.1 --user "$PB_USER" \
            --password "$PB_PASS" --label "$label" "${PB_ARGS[@]}" "$@" --w2-modes "$m" --workloads W2 \
            --repeat 1 --out "$OUT/$label.jsonl" >> "$OUT/$label.log" 2>&1 || rc=$?
      done
    done
    rm -rf "$W2_DIR"
  fi
  return $rc
}

{
  echo "date: $(date -Is)"; echo "host: $(nproc) cores, $(uname -r)"
  echo "dadgate: $DADGATE ($(stat -c %y "$DADGATE")), repo $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null)$(git -C "$REPO" diff --quiet 2>/dev/null || echo ' + uncommitted changes')"
  echo "peerbench args: ${PB_ARGS[*]} --workloads $WORKLOADS --repeat $REPEAT $* (W2_FRESH=$W2_FRESH)"
} > "$OUT/env.txt"

run_dadgate() {
  local log="$OUT/dadgate.stderr.log"
  port_free "$DADGATE_PORT" || die "port $DADGATE_PORT busy (set DADGATE_PORT)"
  DATA=$(mktemp -d /tmp/dadgate-bench-data.XXXXXX)   # /tmp is on disk here, like the OpenSSH peer's data
  local defs=(--define "data.dir=$DATA" --define sftp.port=0 --define https.port=0 --define http.port=0
              --define ftp.address=127.0.0.1 --define "ftp.port=$DADGATE_PORT" --define ftps.port=0
              --define ftp.max_connections=2000 --define ftp.max_connections_per_address=2000
              --define ftp.passive_port_min=0 --define ftp.passive_port_max=0 --define ftp.failed_login_delay_ms=0)
  for d in ${DADGATE_DEFINES:-}; do defs+=(--define "$d"); done
  # Own cpuacct cgroup, as the peers get from peers/common.sh, so peerbench's CPU accounting is the same kind.
  if [ -d /sys/fs/cgroup/cpuacct ] && mkdir -p /sys/fs/cgroup/cpuacct/peerbench-dadgate 2>/dev/null; then
    CG=/sys/fs/cgroup/cpuacct/peerbench-dadgate
  elif [ -f /sys/fs/cgroup/cgroup.controllers ] && mkdir -p /sys/fs/cgroup/peerbench-dadgate 2>/dev/null; then
    CG=/sys/fs/cgroup/peerbench-dadgate
  fi
  if [ -n "$CG" ]; then
    setsid sh -c 'echo $$ > "$0/cgroup.procs" 2>/dev/null; exec "$@"' "$CG" "$DADGATE" "${defs[@]}" \
      > "$OUT/dadgate.stdout.log" 2> "$log" < /dev/null &
  else
    setsid "$DADGATE" "${defs[@]}" > "$OUT/dadgate.stdout.log" 2> "$log" < /dev/null &
  fi
  DG_PID=$!
  echo "$DG_PID" > "$OUT/dadgate.pid"
  for _ in $(seq 1 300); do
    grep -q '^dadgate: ready' "$OUT/dadgate.stdout.log" 2>/dev/null && break
    kill -0 "$DG_PID" 2>/dev/null || { cat "$log" >&2; die "dadgate exited before ready"; }
    sleep 0.1
  done
  grep -q '^dadgate: ready' "$OUT/dadgate.stdout.log" || die "dadgate not ready after 30 s (see $log)"
  echo "$PB_PASS" | "$DADCTL" --define "data.dir=$DATA" user add "$PB_USER" > /dev/null
  echo "=== dadgate pid $DG_PID port $DADGATE_PORT data $DATA ($(date +%T))"
  if [ -n "${DADGATE_PERF:-}" ]; then
    perf record -F 499 -g -p "$DG_PID" -o "$DADGATE_PERF" > "$OUT/perf.log" 2>&1 &
    PERF_PID=$!
    sleep 1
  fi
  local rc=0
  pb dadgate --port "$DADGATE_PORT" --remote-dir /files --server-pid "$DG_PID" "$@" || rc=$?
  if [ -n "$PERF_PID" ]; then kill -INT "$PERF_PID" 2>/dev/null; wait "$PERF_PID" 2>/dev/null || true; PERF_PID=""; fi
  kill -0 "$DG_PID" 2>/dev/null || echo "ftps.sh: WARNING: dadgate (pid $DG_PID) died during the run, see $log" >&2
  grep -E '"ok": false' "$OUT/dadgate.jsonl" >&2 || true
  du -sh "$DATA" > "$OUT/dadgate.datadir.txt" 2>/dev/null || true
  stop_pid "$DG_PID"; DG_PID=""
  [ -n "$CG" ] && { rmdir "$CG" 2>/dev/null || true; CG=""; }
  [ "${KEEP:-0}" = 1 ] || { rm -rf "$DATA"; DATA=""; }
  [ "$rc" = 0 ] || echo "ftps.sh: peerbench against dadgate exited $rc (see $OUT/dadgate.log)" >&2
}

run_peer() {  # run_peer NAME PORT [peerbench args]
  local name=$1 port=$2; shift 2
  PEER_PIDF="$PB_ROOT/$name/pid"
  if [ -s "$PEER_PIDF" ] && kill -0 "$(cat "$PEER_PIDF")" 2>/dev/null; then
    die "a $name peer from $PB_ROOT is already running (pid $(cat "$PEER_PIDF")); stop it or set PB_ROOT"
  fi
  port_free "$port" || die "port $port busy"
  mkdir -p "$PB_ROOT"; chmod 755 "$PB_ROOT"
  PEER_STARTED=1
  PORT=$port FTP_PORT=$port "$PEERS_DIR/$name.sh" > "$OUT/$name.setup.log" 2>&1 || { cat "$OUT/$name.setup.log" >&2; die "peers/$name.sh failed"; }
  local pid; pid=$(cat "$PEER_PIDF")
  echo "=== $name pid $pid port $port data $PB_ROOT/$name/data ($(date +%T))"
  local rc=0
  pb "$name" --port "$port" --remote-dir / --server-dir-local "$PB_ROOT/$name/data" --server-pid "$pid" "$@" || rc=$?
  grep -E '"ok": false' "$OUT/$name.jsonl" >&2 || true
  stop_pid "$pid"; rm -f "$PEER_PIDF"; PEER_STARTED=0
  sleep 0.5; rmdir "/sys/fs/cgroup/cpuacct/peerbench-$name" "/sys/fs/cgroup/peerbench-$name" 2>/dev/null || true
  [ "$rc" = 0 ] || echo "ftps.sh: peerbench against $name exited $rc (see $OUT/$name.log)" >&2
}

for s in $SERVERS; do
  case $s in
    dadgate) run_dadgate "$@" ;;
    vsftpd) run_peer vsftpd "$VSFTPD_PORT" "$@" ;;
    proftpd) run_peer proftpd "$PROFTPD_PORT" "$@" ;;
    *) die "unknown server $s (dadgate, vsftpd, proftpd)" ;;
  esac
done

files=()
for s in $SERVERS; do [ -s "$OUT/$s.jsonl" ] && files+=("$OUT/$s.jsonl"); done
[ ${#files[@]} -gt 0 ] || die "no results"
"$PEERBENCH" report "${files[@]}" > "$OUT/report.md"
: > "$OUT/ratios.md"
for peer in $SERVERS; do
  [ "$peer" != dadgate ] && [ -s "$OUT/dadgate.jsonl" ] && [ -s "$OUT/$peer.jsonl" ] || continue
  python3 "$REPO/bench/ratios.py" --subject dadgate --reference "$peer" "$OUT/dadgate.jsonl" "$OUT/$peer.jsonl" >> "$OUT/ratios.md"
done
cat "$OUT/report.md" "$OUT/ratios.md"
echo "results in $OUT"
