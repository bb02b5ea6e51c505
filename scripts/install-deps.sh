#!/usr/bin/env bash
# Installs the Debian packages dadgate needs to build, run and test.
# Idempotent and fast when everything is present: apt is only touched for
# what `dpkg-query` says is missing. Works as root, or through sudo.
set -euo pipefail

BUILD_PACKAGES=(
    g++ cmake make pkg-config
    libpoco-dev libssh-dev libssl-dev libsqlite3-dev liblua5.4-dev libzip-dev
    libcppunit-dev clang-format libboost-dev
)
# Runtime helpers and the real clients the integration tests drive.
CLIENT_PACKAGES=(
    openssh-client openssh-server sshpass curl rclone lftp openssl
    python3 python3-paramiko python3-aiosmtpd sqlite3 litmus chromium
    proftpd-core proftpd-mod-crypto python3-pyftpdlib haproxy nginx-light
    fuse3  # rclone mount of the WebDAV listener, a mapped drive
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

# Node.js runs playwright-core for the headless-Chromium test of the package
# pages; any node with npm will do (Debian's when there is none).
if ! command -v npm >/dev/null 2>&1; then
    missing+=(nodejs npm)
fi

# playwright-core (pinned in tests/integration/package.json) into
# tests/integration/node_modules (ignored by git), only when it is missing.
install_playwright() {
    local dir
    dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/../tests/integration" && pwd)"
    if [[ ! -f "${dir}/node_modules/playwright-core/package.json" ]]; then
        echo "install-deps: installing playwright-core into ${dir}/node_modules"
        (cd "${dir}" && npm install --no-audit --no-fund --no-save --loglevel=error)
    fi
}

if [[ ${#missing[@]} -eq 0 ]]; then
    install_playwright
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
install_playwright
