#!/usr/bin/env bash
# Installs the Debian packages dadgate needs to build, run and test.
# Idempotent and fast when everything is present: apt is only touched for
# what `dpkg-query` says is missing. Works as root, or through sudo.
set -euo pipefail

BUILD_PACKAGES=(
    g++ cmake make pkg-config
    libpoco-dev libssh-dev libssl-dev libsqlite3-dev liblua5.4-dev libzip-dev
    libcppunit-dev clang-format
)
# Runtime helpers and the real clients the integration tests drive.
CLIENT_PACKAGES=(
    openssh-client openssh-server sshpass curl rclone lftp openssl
    python3 python3-paramiko sqlite3 litmus
)

is_installed() {
    local status
    status="$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)"
    [[ "${status}" == "installed" ]]
}

missing=()
for package in "${BUILD_PACKAGES[@]}" "${CLIENT_PACKAGES[@]}"; do
    if ! is_installed "${package}"; then
        missing+=("${package}")
    fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
    exit 0
fi

if [[ "$(id -u)" -eq 0 ]]; then
    as_root=()
elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
else
    echo "install-deps: missing packages: ${missing[*]}" >&2
    echo "install-deps: run as root or install sudo" >&2
    exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
