#!/usr/bin/env bash
# The extension's whole pipeline, as CTest (vscode.extension) and CI run it:
# npm ci → type check → bundles → unit tests (mocha) → VS Code for the web in Chromium → .vsix.
# SNOWMIGRATE_BUILD_DIR names the SnowMigrate build tree that the live tests use (the
# precompiler, find_package(SnowMigrate), the cluster); without it they skip, saying so.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! command -v npm >/dev/null; then
  echo "vscode-ext: npm is not installed (scripts/setup.sh installs it)" >&2
  exit 1
fi
step() { printf '== vscode-ext: %s\n' "$*"; }

step "npm ci"
# Playwright's browser download cannot work here and is not needed: Debian's Chromium is used.
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --ignore-scripts
step "type check"
npm run --silent typecheck
step "build"
npm run --silent build
step "unit tests"
npm run --silent test:unit
step "integration test (VS Code for the web)"
npm run --silent test:integration
step "package"
npm run --silent package
ls -l snowmigrate.vsix
