#!/usr/bin/env bash
# The memory-state tour: the state graph is built on x86-64 and handed around
# every platform of the local heterogeneous cluster and back
#   x86_64 -> s390x -> ppc -> i686 -> armhf -> x86_64
# Each hop restores the previous platform's stream under that platform's
# emulator, verifies every field and pointer, and collects the state again
# natively for the next hop. The tour ends with the state back on x86-64 and a
# comparison of the final stream with the first.
#
# usage: runtime/demo/tour.sh <top build dir>
set -euo pipefail

build=${1:?usage: tour.sh <top build dir>}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

declare -A emulator=(
  [x86_64]=""
  [s390x]="qemu-s390x -L /usr/s390x-linux-gnu"
  [ppc]="qemu-ppc -L /usr/powerpc-linux-gnu"
  [i686]="qemu-i386 -L /usr/i686-linux-gnu"
  [armhf]="qemu-arm -L /usr/arm-linux-gnueabihf"
)
demo_of() {
  if [[ $1 == x86_64 ]]; then echo "$build/runtime/demo/snow-msr-demo"
  else echo "$build/platforms/$1/runtime/demo/snow-msr-demo"; fi
}
ring=(x86_64 s390x ppc i686 armhf x86_64)

for p in "${ring[@]}"; do
  if [[ ! -x $(demo_of "$p") ]]; then
    echo "tour.sh: no build for $p at $(demo_of "$p") (build the default preset first)" >&2
    exit 1
  fi
done

echo "== The memory-state tour: one state graph around five platforms"
echo "   (a cyclic doubly-linked list, a 63-node tree with parent pointers, interior and"
echo "    one-past-the-end pointers, function pointers, every integer kind, a padded struct)"
echo
# shellcheck disable=SC2086
${emulator[x86_64]} "$(demo_of x86_64)" write "$work/0-x86_64.snow" 7
for ((i = 1; i < ${#ring[@]}; i++)); do
  from=${ring[i-1]} to=${ring[i]}
  # shellcheck disable=SC2086
  ${emulator[$to]} "$(demo_of "$to")" restore "$work/$((i-1))-$from.snow" 7 --forward "$work/$i-$to.snow"
done
echo
last=$(( ${#ring[@]} - 1 ))
if cmp -s "$work/0-x86_64.snow" "$work/$last-x86_64.snow"; then
  echo "Back on x86_64 after $last hops: the final stream is byte-identical to the first."
else
  echo "Back on x86_64 after $last hops: the final stream DIFFERS from the first." >&2
  exit 1
fi
echo
echo "The state as it arrived back (snow-state, first blocks):"
"$build/runtime/snow-state" "$work/$last-x86_64.snow" | head -12
