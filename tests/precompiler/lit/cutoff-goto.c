// A guard clause with a goto cannot move into the wrapper (its label stays in
// the body), so a cutoff after one is refused; a cutoff before it is fine, and
// the plain copy keeps that guard in its body too.
// RUN: %not %snow-precompile --poll-points directives -o %t %s 2>&1 | %FileCheck %s
// RUN: rm -rf %t.ok && %snow-precompile --poll-points directives -o %t.ok %s -- -DCUTOFF_FIRST
// RUN: grep -v -e CHECK -e FIRST %t.ok/cutoff-goto.snow.c | %FileCheck %s --check-prefix=FIRST
static int leaf(int x) {
#pragma snow poll
  return x + 1;
}

#ifndef CUTOFF_FIRST
static int jumps(int x) {
  if (x < 0) goto out; /* a guard with a goto stays in the body */
  // CHECK: cutoff-goto.c:[[@LINE+1]]:1: error: '#pragma snow cutoff' must come first in the body of 'jumps', after nothing but guard clauses that can run before the frame exists ('if (…) return …;' with no resume point, label, goto or declaration in it) [cutoff-position]
#pragma snow cutoff(x < 2)
  x = leaf(x) + jumps(x - 2);
out:
  return x;
}
#else
// FIRST: static int snow_plain_{{.*}}_jumps(int x) {
// FIRST-EMPTY:
// FIRST-NEXT: if (x < 0) goto out;
// FIRST-NEXT: x = snow_plain_{{.*}}_leaf(x) + snow_plain_{{.*}}_jumps(x - 2);
static int jumps(int x) {
#pragma snow cutoff(x < 2)
  if (x < 0) goto out;
  x = leaf(x) + jumps(x - 2);
out:
  return x;
}
#endif

int main(void) { return jumps(7); }
