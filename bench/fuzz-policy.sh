#!/usr/bin/env bash
# Fuzzes the Lua policy host (tests/fuzz/FuzzLuaPolicy.cpp: random Lua
# source, loaded and its hooks called, under ASan and UBSan) with clang's
# libFuzzer for RUN_SECONDS (default 600). A crash, a sanitizer report or a
# call over its CPU budget by more than a second stops the run and leaves
# the input in crash-*. Builds into build-fuzz/ (the gcc build is untouched).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
BUILD="${BUILD:-build-fuzz}"
scripts/install-deps.sh build fuzz  # clang++ with libFuzzer
cmake -S tests/fuzz -B "${BUILD}" -DCMAKE_CXX_COMPILER=clang++ >/dev/null
nice cmake --build "${BUILD}" -j2
corpus="${BUILD}/corpus"
mkdir -p "${corpus}"
# New inputs go to the first folder; the shipped policies are read-only seeds.
exec nice "${BUILD}/fuzz_lua_policy" -max_total_time="${RUN_SECONDS:-600}" \
    -dict=tests/fuzz/lua.dict -max_len=4096 -timeout=20 -rss_limit_mb=2048 \
    -artifact_prefix="${BUILD}/" "${corpus}" tests/fuzz/policy-seeds policies policies/examples
