#!/usr/bin/env bash
# Builds dadgate and runs it in the foreground with the default config.
# Data goes to var/ under the repository root (data.dir = ../var, relative
# to the config file). Extra arguments are passed
# on, for example: scripts/run.sh --define sftp.port=2200
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/install-deps.sh build run
scripts/build.sh
exec build/dadgate --config packaging/dadgate.properties "$@"
