# bench/lib.sh: what bench/sftp.sh, bench/ftps.sh and bench/webdav.sh share. Sourced, never run.
#
# The script sets BENCH (its name, for messages) and its own defaults (ports, SERVERS, PB_ROOT), then calls
#   bench_init "$@"      common settings, QUICK sizes, checks, traps, --workloads/--repeat/--w2-modes
# and uses pb, start_dadgate/stop_dadgate, start_peer/stop_peer, bench_env and bench_report.
# Everything started is stopped by recorded PID when its part is done and on any exit.

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
PEERBENCH=${PEERBENCH:-$REPO/../shared/bench/peerbench}
PEERS_DIR=${PEERS_DIR:-$(dirname "$PEERBENCH")/peers}
DADGATE=${DADGATE:-$REPO/build/dadgate}
DADCTL=${DADCTL:-$REPO/build/dadctl}
export PB_USER=pbuser PB_PASS=pbpass
OUT=${OUT:-/tmp/dadgate-bench-$(date +%Y%m%d-%H%M%S)}

die() { echo "$BENCH: $*" >&2; exit 1; }
port_free() { ! ss -Hltn "sport = :$1" | grep -q .; }

stop_pid() {  # stop_pid PID: TERM, wait up to 10 s, then KILL
  local pid=$1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  echo "$BENCH: $pid did not stop in 10 s, killing" >&2
  kill -9 "$pid" 2>/dev/null || true
}

DATA=""; DG_PID=""; PEER_PIDF=""; PEER_STARTED=0; PERF_PID=""; CG=""
W2_DIR=/dev/shm/peerbench-$BENCH-w2.$$

bench_cleanup() {
  set +e
  [ -n "$PERF_PID" ] && { kill -INT "$PERF_PID" 2>/dev/null; wait "$PERF_PID" 2>/dev/null; }
  [ -n "$DG_PID" ] && stop_pid "$DG_PID"
  if [ "$PEER_STARTED" = 1 ] && [ -s "$PEER_PIDF" ]; then stop_pid "$(cat "$PEER_PIDF")"; rm -f "$PEER_PIDF"; fi
  [ -n "$CG" ] && rmdir "$CG" 2>/dev/null
  [ -n "$DATA" ] && [ "${KEEP:-0}" != 1 ] && rm -rf "$DATA"
  rm -rf "$W2_DIR"
  declare -F bench_extra_cleanup >/dev/null && bench_extra_cleanup
}

# bench_init TOOLS... -- ARGS...: sizes, checks (root, peerbench, binaries, client TOOLS), traps, and the
# arguments: --workloads/--repeat/--w2-modes win over the environment; the rest (PB_EXTRA) goes to peerbench.
bench_init() {
  local tools=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do tools+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  if [ "${QUICK:-0}" = 1 ]; then
    : "${W1_MIB:=256}" "${W2_FILES:=500}" "${W3_CLIENTS:=4}" "${W3_MIB:=64}" "${W4_CYCLES:=50}" "${W5_SESSIONS:=50}" "${REPEAT:=1}"
  fi
  W1_MIB=${W1_MIB:-1024}; W2_FILES=${W2_FILES:-2000}; W2_KIB=${W2_KIB:-8}
  W3_CLIENTS=${W3_CLIENTS:-16}; W3_MIB=${W3_MIB:-64}; W4_CYCLES=${W4_CYCLES:-300}; W5_SESSIONS=${W5_SESSIONS:-200}
  WORKLOADS=${WORKLOADS:-W1,W2,W3,W4,W5}; REPEAT=${REPEAT:-3}
  [ -x "$PEERBENCH" ] || die "peerbench not found at $PEERBENCH (set PEERBENCH)"
  [ -x "$DADGATE" ] && [ -x "$DADCTL" ] || die "need $DADGATE and $DADCTL: run scripts/build.sh first"
  [ "$(id -u)" = 0 ] || die "run as root (the peers need a system user)"
  for tool in "${tools[@]}" ss python3; do
    command -v "$tool" >/dev/null || die "missing $tool: apt-get install -y ${tools[*]} iproute2 python3"
  done
  mkdir -p "$OUT"
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
  PB_EXTRA=(); W2_MODES=${W2_MODES:-$DEFAULT_W2_MODES}
  while [ $# -gt 0 ]; do
    case $1 in
      --workloads) WORKLOADS=$2; shift 2 ;;  --workloads=*) WORKLOADS=${1#*=}; shift ;;
      --repeat) REPEAT=$2; shift 2 ;;        --repeat=*) REPEAT=${1#*=}; shift ;;
      --w2-modes) W2_MODES=$2; shift 2 ;;    --w2-modes=*) W2_MODES=${1#*=}; shift ;;
      *) PB_EXTRA+=("$1"); shift ;;
    esac
  done
  PB_ARGS=(--w1-mib "$W1_MIB" --w2-files "$W2_FILES" --w2-kib "$W2_KIB" --w3-clients "$W3_CLIENTS"
           --w3-mib "$W3_MIB" --w4-cycles "$W4_CYCLES" --w5-sessions "$W5_SESSIONS" --w2-modes "$W2_MODES")
  W2_FRESH=${W2_FRESH:-1}
}

# pb PROTO WORKLOADS JSONL LABEL ARGS... : the peerbench runs of WORKLOADS against one server, results appended
# to JSONL. With W2_FRESH=1, W2 is its own call per run and per mode with newly generated files (PB_CLIENT_DIR
# under /dev/shm), so dadgate's dedup never turns a W2 upload into "already stored" (peerbench reuses one file
# tree for both modes and all runs).
pb() {
  local proto=$1 workloads=$2 jsonl=$3 label=$4; shift 4
  local rc=0 main=$workloads run_w2=0
  if [ "$W2_FRESH" = 1 ] && [[ ",${workloads^^}," == *,W2,* ]]; then
    run_w2=1
    main=$(echo "${workloads^^}" | tr ',' '\n' | grep -vx 'W2' | paste -sd, - || true)
  fi
  local log="${jsonl%.jsonl}.log"
  if [ -n "$main" ]; then
    "$PEERBENCH" run --proto "$proto" --host 127.0.0.1 --user "$PB_USER" --password "$PB_PASS" --label "$label" \
        "${PB_ARGS[@]}" "$@" "${PB_EXTRA[@]+"${PB_EXTRA[@]}"}" --workloads "$main" --repeat "$REPEAT" \
        --out "$jsonl" >> "$log" 2>&1 || rc=$?
  fi
  if [ "$run_w2" = 1 ]; then
    local r m
    for r in $(seq 1 "$REPEAT"); do
      for m in ${W2_MODES//,/ }; do
        rm -rf "$W2_DIR"; mkdir -p "$W2_DIR"
        PB_CLIENT_DIR=$W2_DIR "$PEERBENCH" run --proto "$proto" --host 127.0.0.1 --user "$PB_USER" \
            --password "$PB_PASS" --label "$label" "${PB_ARGS[@]}" "$@" "${PB_EXTRA[@]+"${PB_EXTRA[@]}"}" \
            --w2-modes "$m" --workloads W2 --repeat 1 --out "$jsonl" >> "$log" 2>&1 || rc=$?
      done
    done
    rm -rf "$W2_DIR"
  fi
  grep -E '"ok": false' "$jsonl" >&2 2>/dev/null || true
  [ "$rc" = 0 ] || echo "$BENCH: peerbench ($proto) against $label exited $rc (see $log)" >&2
  return 0
}

# bench_env LINES...: $OUT/env.txt (date, host, which dadgate, the sizes) plus the script's own lines.
bench_env() {
  {
    echo "date: $(date -Is)"; echo "host: $(nproc) cores, $(uname -r)"
    echo "dadgate: $DADGATE ($(stat -c %y "$DADGATE")), repo $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null)$(git -C "$REPO" diff --quiet 2>/dev/null || echo ' + uncommitted changes')"
    printf '%s\n' "$@"
    echo "peerbench args: ${PB_ARGS[*]} --workloads $WORKLOADS --repeat $REPEAT ${PB_EXTRA[*]+"${PB_EXTRA[*]}"} (W2_FRESH=$W2_FRESH)"
  } > "$OUT/env.txt"
}

# start_dadgate PORT DEFINES...: dadgate on a fresh data dir (on disk, like the peers' data) in its own cpuacct
# cgroup (as the peers get from peers/common.sh, so the CPU accounting is the same kind), with `--define`
# DEFINES and $DADGATE_DEFINES; waits for `dadgate: ready`, creates $PB_USER, starts perf when DADGATE_PERF.
start_dadgate() {
  local port=$1; shift
  local log="$OUT/dadgate.stderr.log"
  port_free "$port" || die "port $port busy (set DADGATE_PORT)"
  DATA=$(mktemp -d /tmp/dadgate-bench-data.XXXXXX)
  local defs=(--define "data.dir=$DATA")
  for d in "$@" ${DADGATE_DEFINES:-}; do defs+=(--define "$d"); done
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
  echo "=== dadgate pid $DG_PID port $port data $DATA ($(date +%T))"
  if [ -n "${DADGATE_PERF:-}" ]; then
    perf record -F 499 -g -p "$DG_PID" -o "$DADGATE_PERF" > "$OUT/perf.log" 2>&1 &
    PERF_PID=$!
    sleep 1
  fi
}

stop_dadgate() {
  if [ -n "$PERF_PID" ]; then kill -INT "$PERF_PID" 2>/dev/null; wait "$PERF_PID" 2>/dev/null || true; PERF_PID=""; fi
  kill -0 "$DG_PID" 2>/dev/null || echo "$BENCH: WARNING: dadgate (pid $DG_PID) died during the run, see $OUT/dadgate.stderr.log" >&2
  du -sh "$DATA" > "$OUT/dadgate.datadir.txt" 2>/dev/null || true
  stop_pid "$DG_PID"; DG_PID=""
  [ -n "$CG" ] && { rmdir "$CG" 2>/dev/null || true; CG=""; }
  [ "${KEEP:-0}" = 1 ] || { rm -rf "$DATA"; DATA=""; }
}

# start_peer NAME [VAR=value...]: peers/NAME.sh with the environment given; sets PEER_PID.
start_peer() {
  local name=$1; shift
  PEER_PIDF="$PB_ROOT/$name/pid"
  if [ -s "$PEER_PIDF" ] && kill -0 "$(cat "$PEER_PIDF")" 2>/dev/null; then
    die "a $name peer from $PB_ROOT is already running (pid $(cat "$PEER_PIDF")); stop it or set PB_ROOT"
  fi
  mkdir -p "$PB_ROOT"; chmod 755 "$PB_ROOT"
  PEER_STARTED=1
  env "$@" "$PEERS_DIR/$name.sh" > "$OUT/$name.setup.log" 2>&1 || { cat "$OUT/$name.setup.log" >&2; die "peers/$name.sh failed"; }
  PEER_PID=$(cat "$PEER_PIDF")
  echo "=== $name pid $PEER_PID data $PB_ROOT/$name/data ($(date +%T))"
}

stop_peer() {
  local name=$1
  stop_pid "$PEER_PID"; rm -f "$PEER_PIDF"; PEER_STARTED=0
  sleep 0.5; rmdir "/sys/fs/cgroup/cpuacct/peerbench-$name" "/sys/fs/cgroup/peerbench-$name" 2>/dev/null || true
}

# bench_report SUFFIX REFERENCES...: peerbench's report of every $OUT/<server>SUFFIX.jsonl and the ratios of
# dadgate to each reference server; printed and kept as $OUT/report SUFFIX.md and ratios SUFFIX.md.
bench_report() {
  local suffix=$1; shift
  local files=() s
  for s in $SERVERS; do [ -s "$OUT/$s$suffix.jsonl" ] && files+=("$OUT/$s$suffix.jsonl"); done
  [ ${#files[@]} -gt 0 ] || { echo "$BENCH: no results for $suffix" >&2; return 1; }
  "$PEERBENCH" report "${files[@]}" > "$OUT/report$suffix.md"
  : > "$OUT/ratios$suffix.md"
  for s in "$@"; do
    [ -s "$OUT/dadgate$suffix.jsonl" ] && [ -s "$OUT/$s$suffix.jsonl" ] || continue
    python3 "$REPO/bench/ratios.py" --subject dadgate --reference "$s" \
        "$OUT/dadgate$suffix.jsonl" "$OUT/$s$suffix.jsonl" >> "$OUT/ratios$suffix.md"
  done
  cat "$OUT/report$suffix.md" "$OUT/ratios$suffix.md"
}
