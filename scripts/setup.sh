#!/usr/bin/env bash
# Installs every Debian package SnowMigrate needs to build, test and run (Debian 12, amd64).
# Idempotent: when all packages are installed it does not call apt-get at all.
# Runs as root (CI) or through sudo.
set -euo pipefail

# The one list of packages. Append new needs here, in the group they belong to.
PACKAGES=(
  # build tools
  build-essential cmake ninja-build ccache git python3
  # the cross platforms and the emulator that runs them (README.md, "Platforms")
  g++-s390x-linux-gnu g++-powerpc-linux-gnu g++-i686-linux-gnu g++-arm-linux-gnueabihf qemu-user
  # precompiler: Clang LibTooling; FileCheck and lit for its tests
  clang-14 libclang-14-dev libclang-cpp14-dev llvm-14-dev llvm-14-tools libclang-rt-14-dev
  # formatting and static analysis (.clang-format, .clang-tidy)
  clang-format-14 clang-tidy-14
  # tests and benchmarks (GoogleTest is built from /usr/src/googletest for every platform)
  googletest libgtest-dev libbenchmark-dev
  # overhead benchmark: exact instruction counts (bench/overhead.sh), bc for its ratios
  valgrind bc time
  # runtime system: Boost.Beast WebSocket API, serialization, JSON
  libboost-all-dev libcereal-dev nlohmann-json3-dev
  # snow-monitor (Qt 6 Widgets) and its headless GUI tests
  qt6-base-dev qt6-websockets-dev qt6-svg-dev libgl1-mesa-dev xvfb xdotool
  # the local heterogeneous cluster: network namespaces, veth, tc
  iproute2
  # random C programs for the precompiler and migration fuzzing
  csmith libcsmith-dev
  # model checking of the migration protocol (Promela)
  spin
  # the VS Code extension's integration test drives VS Code for the web in Chromium
  chromium
)
# The extension is built with node and npm: Debian's, unless a node with npm is already there
# (NodeSource's nodejs bundles npm and conflicts with Debian's npm package).
command -v npm >/dev/null || PACKAGES+=(nodejs npm)

log() { printf 'setup: %s\n' "$*"; }

is_installed() {
  [[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" == "installed" ]]
}

missing=()
for package in "${PACKAGES[@]}"; do
  is_installed "$package" || missing+=("$package")
done

if ((${#missing[@]} == 0)); then
  log "all ${#PACKAGES[@]} packages are installed; nothing to do"
  exit 0
fi

if ((EUID == 0)); then
  as_root=()
elif command -v sudo >/dev/null; then
  as_root=(sudo)
else
  log "must install ${missing[*]}, but is neither root nor able to use sudo" >&2
  exit 1
fi

apt_get=("${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get
         -o DPkg::Lock::Timeout=600)  # wait for another apt/dpkg instead of failing

log "installing ${#missing[@]} of ${#PACKAGES[@]} packages: ${missing[*]}"
log "apt-get update"
"${apt_get[@]}" update
log "apt-get install"
"${apt_get[@]}" install -y --no-install-recommends "${missing[@]}"

still_missing=()
for package in "${missing[@]}"; do
  is_installed "$package" || still_missing+=("$package")
done
if ((${#still_missing[@]} > 0)); then
  log "still not installed after apt-get: ${still_missing[*]}" >&2
  exit 1
fi
log "done"
