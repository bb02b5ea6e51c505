#!/usr/bin/env bash
# Checks that a fresh Debian 12 machine gets everything dadgate needs from the
# project's own files: makes a clean Debian 12 root from Debian's packages
# (mmdebstrap, installed with apt when missing), puts a fresh `git clone` of
# this repository's HEAD into it, and runs the README's two commands there:
# `scripts/run.sh` until it prints `dadgate: ready` (then stops it), and
# `scripts/test.sh` to the end.
#
#   scripts/check-clean-debian.sh [--no-test] [--keep]
#
#   --no-test  stop after the run command's readiness (skips scripts/test.sh)
#   --keep     leave the root in place (its path is printed) instead of removing it
#
# Needs root (chroot, mounts). The root's apt uses this machine's apt sources,
# and its local CAs (/usr/local/share/ca-certificates), so it reaches the
# registries as the machine does. Only committed work is
# checked (a clone of HEAD). Packages are installed with the root's network;
# dadgate and the tests then run in a network namespace of their own, with
# loopback only, so the default ports never meet another dadgate. Every step
# has a time limit. The exit code is 0 only when every step passed.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
run_tests=true
keep=false
for arg in "$@"; do
    case "${arg}" in
    --no-test) run_tests=false ;;
    --keep) keep=true ;;
    *)
        echo "usage: $0 [--no-test] [--keep]" >&2
        exit 2
        ;;
    esac
done

# Time limits, in seconds.
BOOTSTRAP_LIMIT=1800
DEPS_LIMIT=2400
READY_LIMIT=3600 # the run command builds first
STOP_LIMIT=60
TEST_LIMIT=5400

say() { echo "check-clean-debian: $*"; }
die() {
    say "FAILED: $*" >&2
    exit 1
}

[[ "$(id -u)" -eq 0 ]] || die "run as root (chroot and mounts need it)"
if ! command -v mmdebstrap >/dev/null 2>&1; then
    say "installing mmdebstrap"
    env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        mmdebstrap </dev/null
fi

root="$(mktemp -d /var/tmp/dadgate-clean-debian.XXXXXX)"
mounted=()
cleanup() {
    local i
    for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
        umount -l "${mounted[i]}" 2>/dev/null || true
    done
    if [[ "${keep}" == true ]]; then
        say "root kept at ${root}"
    else
        rm -rf --one-file-system "${root}"
    fi
}
trap cleanup EXIT

# The machine's own apt sources: the clean root reaches the same mirror.
sources=()
for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [[ -s "${file}" ]] && grep -q '^[^#]' "${file}" && sources+=("${file}")
done
[[ ${#sources[@]} -gt 0 ]] || die "this machine has no apt sources to make the root from"

say "making a clean Debian 12 root in ${root}"
timeout "${BOOTSTRAP_LIMIT}" mmdebstrap --variant=apt --mode=root \
    --aptopt='Acquire::Check-Valid-Until "false"' \
    --include=ca-certificates bookworm "${root}" "${sources[@]}" ||
    die "mmdebstrap"

say "cloning ${repo} (HEAD $(git -C "${repo}" rev-parse --short HEAD)) into the root"
git clone --quiet --no-local "${repo}" "${root}/src/dadgate"

for fs in proc sys dev dev/pts; do
    mkdir -p "${root}/${fs}"
    mount --bind "/${fs}" "${root}/${fs}"
    mounted+=("${root}/${fs}")
done
mount -t tmpfs tmpfs "${root}/tmp"
mounted+=("${root}/tmp")
mkdir -p "${root}/dev/shm"
mount -t tmpfs tmpfs "${root}/dev/shm"
mounted+=("${root}/dev/shm")
cp /etc/resolv.conf "${root}/etc/resolv.conf"
# Packages installed in the root start no service (sshd, nginx, haproxy,
# proftpd would otherwise listen in this machine's network).
printf '#!/bin/sh\nexit 101\n' >"${root}/usr/sbin/policy-rc.d"
chmod 755 "${root}/usr/sbin/policy-rc.d"
# The machine's own local CAs (a TLS proxy on the way to the registries):
# the root trusts what the machine trusts, and npm reads the system's bundle.
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
    cp /usr/local/share/ca-certificates/*.crt "${root}/usr/local/share/ca-certificates/"
    chroot "${root}" update-ca-certificates >/dev/null
fi
echo "cafile=/etc/ssl/certs/ca-certificates.crt" >"${root}/etc/npmrc"

# in_root LIMIT online|offline COMMAND-LINE: runs COMMAND-LINE in the root,
# from the clone, with a fresh login's environment, for at most LIMIT
# seconds; offline: in a network namespace of its own with loopback up.
in_root() {
    local limit="$1" net="$2" line="$3"
    local enter=(chroot "${root}" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin
        LANG=C.UTF-8 TERM=dumb /bin/bash -c "cd /src/dadgate && ${line}")
    if [[ "${net}" == offline ]]; then
        timeout "${limit}" unshare --net /bin/bash -c 'ip link set lo up && exec "$@"' lo-up \
            "${enter[@]}"
    else
        timeout "${limit}" "${enter[@]}"
    fi
}

# Every package of the list (and playwright-core), with the network: the two
# commands below then find them installed and need no network.
say "scripts/install-deps.sh (every section of packaging/debian-packages)"
in_root "${DEPS_LIMIT}" online scripts/install-deps.sh || die "scripts/install-deps.sh"

say "scripts/run.sh, until it prints 'dadgate: ready'"
log="${root}/var/tmp/run.log"
in_root "${READY_LIMIT}" offline scripts/run.sh >"${log}" 2>&1 &
run_pid=$!
ready=false
while kill -0 "${run_pid}" 2>/dev/null; do
    if grep -q '^dadgate: ready' "${log}"; then
        ready=true
        break
    fi
    # Wait until the log grows or the run ends (at most 10 s), then look again.
    timeout 10 tail -n0 -f --pid="${run_pid}" "${log}" 2>/dev/null | head -n1 >/dev/null || true
done
grep -q '^dadgate: ready' "${log}" && ready=true
# `timeout` hands SIGINT on to its child, which is dadgate by now
# (scripts/run.sh ends in `exec build/dadgate`): Ctrl-C, as the README says.
pkill -INT -P "${run_pid}" -x timeout 2>/dev/null || true
if ! timeout "${STOP_LIMIT}" tail -f --pid="${run_pid}" /dev/null; then
    pkill -KILL -P "${run_pid}" -x timeout 2>/dev/null || true
    die "scripts/run.sh did not stop within ${STOP_LIMIT}s of SIGINT"
fi
if [[ "${ready}" != true ]]; then
    tail -n 40 "${log}" >&2
    die "scripts/run.sh did not print 'dadgate: ready' (log above)"
fi
grep '^dadgate: ' "${log}" | grep -v 'password' || true
say "scripts/run.sh: ready, then stopped with SIGINT"

if [[ "${run_tests}" != true ]]; then
    say "PASSED (install-deps, build, run until ready; scripts/test.sh skipped: --no-test)"
    exit 0
fi

say "scripts/test.sh"
in_root "${TEST_LIMIT}" offline scripts/test.sh || die "scripts/test.sh"
say "PASSED (install-deps, build, run until ready, every test)"
