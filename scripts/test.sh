#!/usr/bin/env bash
# Installs every package of packaging/debian-packages that is missing, builds
# dadgate and runs every test (CppUnit units and the integration
# tests with real clients). The exit code is ctest's.
#
#   scripts/test.sh --sanitize [CTEST ARGS...]
# builds into build-asan/ under AddressSanitizer (LeakSanitizer included) and
# UndefinedBehaviorSanitizer instead, and runs the suite (or what the ctest
# arguments select, e.g. -R '^unit\.') against it. Every sanitizer report of
# any process the tests start (dadgate, dadctl, the unit tests) is written
# under build-asan/sanitizer/; the run fails if one was written.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/install-deps.sh build run test
if [[ "${1:-}" != --sanitize ]]; then
    scripts/build.sh
    cd build
    exec ctest --output-on-failure -j1
fi
shift

build=build-asan
cmake -S . -B "${build}" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDAD_SANITIZE=ON >/dev/null
cmake --build "${build}" -j"$(nproc)"
reports="${PWD}/${build}/sanitizer"
rm -rf "${reports}"
mkdir -p "${reports}"
supp="${PWD}/tests/sanitizers"
export ASAN_OPTIONS="detect_leaks=1:check_initialization_order=1:log_path=${reports}/asan"
export LSAN_OPTIONS="suppressions=${supp}/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=${reports}/ubsan"
status=0
(cd "${build}" && ctest --output-on-failure -j1 "$@") || status=$?
if compgen -G "${reports}/*" >/dev/null; then
    echo "test.sh: sanitizer reports were written:" >&2
    for report in "${reports}"/*; do
        echo "== ${report}" >&2
        head -40 "${report}" >&2
    done
    [[ ${status} -ne 0 ]] || status=1
fi
exit "${status}"
