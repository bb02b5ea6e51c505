#!/usr/bin/env bash
# Installs the Debian packages of packaging/debian-packages, the one list of
# what dadgate needs to build, run and test.
#
#   scripts/install-deps.sh [build] [run] [test] [fuzz]  (no section: the first three)
#   scripts/install-deps.sh --print SECTION...       only print their packages,
#                                                    one a line (for a Depends)
#
# Idempotent and fast when everything is present: apt is only touched for
# what `dpkg-query` says is missing. Works as root, or through sudo. The test
# section also installs playwright-core (tests/integration/package.json) with npm.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
list="${root}/packaging/debian-packages"

print_only=false
if [[ "${1:-}" == --print ]]; then
    print_only=true
    shift
fi
sections=("$@")
[[ ${#sections[@]} -eq 0 ]] && sections=(build run test)
for section in "${sections[@]}"; do
    case "${section}" in
    build | run | test | fuzz) ;;
    *)
        echo "install-deps: unknown section ${section} (build, run, test, fuzz)" >&2
        exit 2
        ;;
    esac
done

# The packages of one section of the list, one a line.
packages_of() {
    awk -v want="[$1]" '
        { sub(/#.*/, ""); gsub(/[ \t]+/, "") }
        /^\[.*\]$/ { in_section = ($0 == want); next }
        in_section && $0 != "" { print }
    ' "${list}"
}

is_installed() {
    local status
    status="$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)"
    [[ "${status}" == "installed" ]]
}

if [[ "${print_only}" == true ]]; then
    for section in "${sections[@]}"; do
        packages_of "${section}"
    done
    exit 0
fi

wants_test=false
missing=()
for section in "${sections[@]}"; do
    [[ "${section}" == test ]] && wants_test=true
    while read -r package; do
        # Any node with npm will do: Debian's only when there is none.
        if [[ "${package}" == nodejs || "${package}" == npm ]] &&
            command -v npm >/dev/null 2>&1; then
            continue
        fi
        if ! is_installed "${package}"; then
            missing+=("${package}")
        fi
    done < <(packages_of "${section}")
done

# playwright-core (pinned in tests/integration/package.json) into
# tests/integration/node_modules (ignored by git), when it is missing or is
# not the pinned version.
install_playwright() {
    local dir="${root}/tests/integration"
    local installed="${dir}/node_modules/playwright-core/package.json"
    local pinned
    pinned="$(sed -n 's/.*"playwright-core": *"\([^"]*\)".*/\1/p' "${dir}/package.json")"
    if [[ "${wants_test}" == true ]] &&
        ! grep -q "\"version\": *\"${pinned}\"" "${installed}" 2>/dev/null; then
        echo "install-deps: installing playwright-core ${pinned} into ${dir}/node_modules"
        (cd "${dir}" && npm install --no-audit --no-fund --no-save --loglevel=error)
    fi
}

# The Python modules the integration tests import (from the test section's
# python3-aiosmtpd, python3-paramiko, python3-pyftpdlib): said plainly when
# one is still missing instead of failing deep inside a test.
check_python_modules() {
    if [[ "${wants_test}" == true ]] &&
        ! /usr/bin/python3 -c "import aiosmtpd, paramiko, pyftpdlib" 2>/dev/null; then
        echo "install-deps: Debian's python3 cannot import aiosmtpd, paramiko and pyftpdlib" >&2
        exit 1
    fi
}

if [[ ${#missing[@]} -eq 0 ]]; then
    install_playwright
    check_python_modules
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
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
install_playwright
check_python_modules
