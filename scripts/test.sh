#!/usr/bin/env bash
# Installs every package of packaging/debian-packages that is missing, builds
# dadgate and runs every test (CppUnit units and the integration
# tests with real clients). The exit code is ctest's.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/install-deps.sh build run test
scripts/build.sh
cd build
exec ctest --output-on-failure -j1
