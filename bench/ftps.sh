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

BENCH=ftps.sh
DADGATE_PORT=${DADGATE_PORT:-2191}
VSFTPD_PORT=${VSFTPD_PORT:-2124}
PROFTPD_PORT=${PROFTPD_PORT:-2121}
SERVERS=${SERVERS:-dadgate vsftpd proftpd}
export PB_ROOT=${PB_ROOT:-/tmp/peerbench-ftpsbench}
DEFAULT_W2_MODES=rclone,seq
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_init curl lftp rclone -- "$@"
bench_env

run_dadgate() {
  start_dadgate "$DADGATE_PORT" sftp.port=0 https.port=0 http.port=0 ftp.address=127.0.0.1 \
      "ftp.port=$DADGATE_PORT" ftps.port=0 ftp.max_connections=2000 ftp.max_connections_per_address=2000 \
      ftp.passive_port_min=0 ftp.passive_port_max=0 login.failed_delay_ms=0
  pb ftps "$WORKLOADS" "$OUT/dadgate.jsonl" dadgate --port "$DADGATE_PORT" --remote-dir /files --server-pid "$DG_PID"
  stop_dadgate
}

run_peer() {  # run_peer NAME PORT
  local name=$1 port=$2
  port_free "$port" || die "port $port busy"
  start_peer "$name" "PORT=$port" "FTP_PORT=$port"
  pb ftps "$WORKLOADS" "$OUT/$name.jsonl" "$name" --port "$port" --remote-dir / \
      --server-dir-local "$PB_ROOT/$name/data" --server-pid "$PEER_PID"
  stop_peer "$name"
}

for s in $SERVERS; do
  case $s in
    dadgate) run_dadgate ;;
    vsftpd) run_peer vsftpd "$VSFTPD_PORT" ;;
    proftpd) run_peer proftpd "$PROFTPD_PORT" ;;
    *) die "unknown server $s (dadgate, vsftpd, proftpd)" ;;
  esac
done

bench_report "" vsftpd proftpd || die "no results"
echo "results in $OUT"
