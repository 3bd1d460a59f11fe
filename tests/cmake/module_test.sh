#!/usr/bin/env bash
# cmake/SnowMigrate.cmake in a user's project (tests/cmake/project):
#  1. configure and build through find_package(SnowMigrate); the host program
#     and every other platform's program print the same; the manifest lists them;
#  2. a checkpoint on the host restarts on every other platform with the
#     unmigrated output;
#  3. editing a header the sources include regenerates them (the depfile);
#  4. an unsupported construct fails the build with the precompiler's
#     diagnostic, file:line:col and code.
#
# usage: module_test.sh SNOWMIGRATE_BUILD_DIR WORK_DIR
set -euo pipefail
snow_build=$1 work=$2
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work" && mkdir -p "$work"
cp -r "$here/project" "$work/src"
fail() { echo "FAIL $*"; exit 1; }

configure() {  # configure <build dir> [cmake args…]
  local dir=$1; shift
  cmake -S "$work/src" -B "$dir" -G "${generator:-Ninja}" -DSnowMigrate_DIR="$snow_build" "$@" >"$dir.configure.log" 2>&1 ||
    { cat "$dir.configure.log"; fail "configure"; }
}

# 1. Build; all platforms agree.
configure "$work/build"
cmake --build "$work/build" >"$work/build.log" 2>&1 || { cat "$work/build.log"; fail "build"; }
manifest="$work/build/snow-migratable-targets.json"
[[ -f $manifest ]] || fail "no manifest at $manifest"
python3 - "$manifest" >"$work/platforms.txt" <<'PY' || fail "manifest is not what was asked for"
import json, sys, os
m = json.load(open(sys.argv[1]))
assert m["version"] == 1, m
(t,) = [t for t in m["targets"] if t["name"] == "counting"]
assert t["poll_points"] == "directives", t
assert any(s.endswith("/counter.c") for s in t["sources"]), t
assert os.path.isfile(t["report"]), t["report"]
for p, exe in t["executables"].items():
    assert os.access(exe, os.X_OK), (p, exe)
    print(p, exe, " ".join(t["emulators"][p]))
PY
read -r _ host_exe < <(grep '^x86_64 ' "$work/platforms.txt")
"$host_exe" >"$work/expected.out"
grep -q "^counting from 3$" "$work/expected.out" || fail "the definitions did not reach the program: $(head -1 "$work/expected.out")"
while read -r p exe emulator; do
  # shellcheck disable=SC2086
  $emulator "$exe" >"$work/$p.out" || fail "$p program exited non-zero"
  cmp -s "$work/expected.out" "$work/$p.out" || fail "$p output differs from x86_64"
done <"$work/platforms.txt"
echo "built for $(cut -d' ' -f1 "$work/platforms.txt" | tr '\n' ' ')- identical output"

# 2. Checkpoint on the host at the 3rd poll-point; restart everywhere.
SNOW_CHECKPOINT_AT_POLL=3 SNOW_CHECKPOINT_FILE="$work/ckpt.snow" "$host_exe" >"$work/before.out"
[[ -f $work/ckpt.snow ]] || fail "no checkpoint written"
while read -r p exe emulator; do
  # shellcheck disable=SC2086
  SNOW_RESTART="$work/ckpt.snow" $emulator "$exe" >"$work/after-$p.out" || fail "restart on $p exited non-zero"
  cat "$work/before.out" "$work/after-$p.out" | cmp -s - "$work/expected.out" || fail "restart on $p: output differs"
done <"$work/platforms.txt"
echo "checkpoint at poll 3 restarted on every platform with the unmigrated output"

# 3. A header edit regenerates the precompiled sources.
generated="$work/build/counting.snow/main.snow.c"
grep -q . "$generated" || fail "no generated $generated"
sed -i 's/counting from/counting up from/' "$work/src/include/config.h"
cmake --build "$work/build" >"$work/rebuild.log" 2>&1 || { cat "$work/rebuild.log"; fail "rebuild"; }
grep -q "Precompiling counting" "$work/rebuild.log" || fail "editing config.h did not re-run the precompiler"
"$host_exe" | grep -q "^counting up from 3$" || fail "the rebuilt program does not show the edited header"
echo "editing an included header re-ran the precompiler"

# 4. An unsupported construct fails the build with the diagnostic.
configure "$work/build-bad" -DSNOW_TEST_UNSUPPORTED=ON
if cmake --build "$work/build-bad" >"$work/bad.log" 2>&1; then fail "a unit using setjmp on a migration path built"; fi
grep -Eq "unsupported\.c:[0-9]+:[0-9]+: error: .*\[setjmp-longjmp\]" "$work/bad.log" ||
  { cat "$work/bad.log"; fail "the build failed without the precompiler's setjmp diagnostic"; }
echo "setjmp on a migration path failed the build: $(grep -Eo 'unsupported\.c:[0-9]+:[0-9]+: error: [^[]*\[setjmp-longjmp\]' "$work/bad.log" | head -1)"

# 5. The Makefile generator builds a cross platform too (its custom commands
#    must find their output directories made). Only where s390x is built.
if ! grep -q '^s390x ' "$work/platforms.txt"; then
  echo "skipped the Makefile generator check: this build has no s390x"
  exit 0
fi
generator="Unix Makefiles" configure "$work/build-make"
cmake --build "$work/build-make" --target counting-s390x >"$work/make.log" 2>&1 ||
  { tail -20 "$work/make.log"; fail "the Makefile generator's build of counting for s390x"; }
[[ -x $work/build-make/counting.platforms/s390x/counting ]] || fail "no s390x executable from the Makefile build"
echo "the Makefile generator builds the s390x executable too"
