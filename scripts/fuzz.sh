#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz (clang++, ASan + UBSan, into
# build-fuzz/) and runs each for SECONDS (60) on its seed corpus:
#   scripts/fuzz.sh [SECONDS] [TARGET...]    (TARGET: ftp_command, sftp_packet, ...)
# New inputs go to build-fuzz/corpus/<target>/; a crash, leak, timeout or
# memory blow-up leaves its input in build-fuzz/findings/ and fails the run.
# One summary line per target; the exit code is 1 if any target failed.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds="${1:-60}"
shift || true
build="${BUILD:-build-fuzz}"

scripts/install-deps.sh build fuzz  # clang++ with libFuzzer
if [[ ! -f "${build}/CMakeCache.txt" ]]; then
    cmake -S . -B "${build}" -DDAD_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
nice cmake --build "${build}" -j"$(nproc)" >/dev/null

if [[ $# -gt 0 ]]; then
    targets=("$@")
else
    targets=()
    for binary in "${build}"/fuzz_*; do
        [[ -x "${binary}" ]] && targets+=("${binary##*/fuzz_}")
    done
fi

mkdir -p "${build}/findings"
failed=0
for target in "${targets[@]}"; do
    seeds="tests/fuzz/corpus/${target}"
    work="${build}/corpus/${target}"
    mkdir -p "${work}"
    [[ -d "${seeds}" ]] || { echo "fuzz: no seed corpus ${seeds}" >&2; exit 2; }
    options=(-max_len=4096 -timeout=10 -rss_limit_mb=2048)
    extra=()
    case "${target}" in
        lua_policy)  # random Lua source: Lua tokens, and the shipped policies as seeds
            options=(-max_len=4096 -timeout=20 -rss_limit_mb=2048 -dict=tests/fuzz/lua.dict)
            extra=(policies policies/examples) ;;
        dav_body | peer_messages) options[0]=-max_len=16384 ;;
    esac
    log="${build}/findings/${target}.log"
    status=ok
    # New inputs go to the first folder; the seeds stay as they are.
    if ! nice "${build}/fuzz_${target}" -max_total_time="${seconds}" "${options[@]}" \
        -print_final_stats=1 -artifact_prefix="${build}/findings/${target}-" \
        "${work}" "${seeds}" "${extra[@]}" >"${log}" 2>&1; then
        status=FAILED
        failed=1
    fi
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "${log}" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "${log}" | tail -1)
    corpus=$(find "${work}" "${seeds}" -type f | wc -l)
    cov=$(grep -o 'cov: [0-9]*' "${log}" | tail -1)
    printf 'fuzz %-15s %-6s %ss execs %s (%s/s) corpus %s %s\n' "${target}" "${status}" \
        "${seconds}" "${execs:-?}" "${rate:-?}" "${corpus}" "${cov}"
    if [[ "${status}" != ok ]]; then
        grep -m3 -E 'ERROR|SUMMARY|Test unit written' "${log}" | sed 's/^/    /' || true
    fi
done
exit "${failed}"
