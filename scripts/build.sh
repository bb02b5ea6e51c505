#!/usr/bin/env bash
# Installs what a build needs (packaging/debian-packages, sections build and
# run) when missing, then configures and builds dadgate into build/.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/install-deps.sh build run
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j"$(nproc)"
