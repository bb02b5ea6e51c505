#!/usr/bin/env bash
# SFTP benchmark: the same real clients (OpenSSH sftp -b, rclone) against dadgate and against OpenSSH's
# sshd (internal-sftp), one server at a time, on 127.0.0.1, through peerbench; then a markdown report and
# the ratios dadgate/OpenSSH. See docs/benchmarks.md.
#
#   bench/sftp.sh [peerbench run options...]      e.g. bench/sftp.sh --workloads W1,W4 --repeat 1
#
# Builds nothing: expects build/dadgate and build/dadctl (scripts/build.sh). Runs as root (the OpenSSH peer
# needs a system user and sshd). Everything it starts is stopped on exit (by recorded PID).
#
# Environment (all optional):
#   QUICK=1            small sizes: W1 256 MiB, W2 500 files, W3 4x64 MiB, W4 50 logins, W5 50 sessions, repeat 1
#   W1_MIB W2_FILES W2_KIB W3_CLIENTS W3_MIB W4_CYCLES W5_SESSIONS   sizes (defaults: the issue's 1024 2000 8 16 64 300 200)
#   WORKLOADS=W1,W2,W3,W4,W5   REPEAT=3        (also settable as --workloads/--repeat arguments, which win)
#   SERVERS="dadgate openssh"                   which servers to run, in that order
#   DADGATE_PORT=2290  OPENSSH_PORT=2222        loopback ports
#   DADGATE=build/dadgate DADCTL=build/dadctl   binaries (copy them elsewhere if others rebuild during a run)
#   DADGATE_DEFINES="key=value ..."             extra --define for dadgate
#   DADGATE_PERF=FILE  record `perf record -g` of dadgate during its run (distorts its figures; for profiling)
#   OUT=/tmp/dadgate-bench-<time>               results: dadgate.jsonl openssh.jsonl *.log report.md ratios.md
#   PEERBENCH=<repo>/../shared/bench/peerbench  PEERS_DIR=<dir of peerbench>/peers
#   PB_ROOT=/tmp/peerbench-sftpbench            OpenSSH peer's keys, config and data (on disk, not tmpfs)
#   KEEP=1             keep dadgate's data dir (default: removed on exit)
#   W2_FRESH=1         (default) W2 runs as its own peerbench call per run and per mode (rclone, seq), each with
#                      newly generated files (PB_CLIENT_DIR under /dev/shm), so dadgate's dedup never turns a W2
#                      upload into "already stored" (peerbench reuses one file tree for both modes and all runs).
#                      W2_FRESH=0: one peerbench call for everything, as run_peers.sh does.
set -euo pipefail

BENCH=sftp.sh
DADGATE_PORT=${DADGATE_PORT:-2290}
OPENSSH_PORT=${OPENSSH_PORT:-2222}
SERVERS=${SERVERS:-dadgate openssh}
export PB_ROOT=${PB_ROOT:-/tmp/peerbench-sftpbench}
DEFAULT_W2_MODES=rclone,seq
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_init sftp sshpass rclone -- "$@"
bench_env "openssh: $(/usr/sbin/sshd -V 2>&1 | head -1 || true)"

run_dadgate() {
  start_dadgate "$DADGATE_PORT" sftp.address=127.0.0.1 "sftp.port=$DADGATE_PORT" \
      sftp.max_connections=2000 sftp.max_connections_per_address=2000
  pb sftp "$WORKLOADS" "$OUT/dadgate.jsonl" dadgate --port "$DADGATE_PORT" --remote-dir /files --server-pid "$DG_PID"
  stop_dadgate
}

run_openssh() {
  port_free "$OPENSSH_PORT" || die "port $OPENSSH_PORT busy (set OPENSSH_PORT)"
  start_peer openssh "PORT=$OPENSSH_PORT"
  pb sftp "$WORKLOADS" "$OUT/openssh.jsonl" openssh --port "$OPENSSH_PORT" --remote-dir "$PB_ROOT/openssh/data" \
      --server-dir-local "$PB_ROOT/openssh/data" --server-pid "$PEER_PID"
  stop_peer openssh
}

for s in $SERVERS; do
  case $s in
    dadgate) run_dadgate ;;
    openssh) run_openssh ;;
    *) die "unknown server $s (dadgate, openssh)" ;;
  esac
done

bench_report "" openssh || die "no results"
echo "results in $OUT"
