// Calls on a migration path in conditionally evaluated operands (&&, ||, ?:)
// are evaluated into a temporary just before their statement
// (precompiler/lib/ConditionalLowering.h), so that the call is a statement of
// its own. Where that would change what C evaluates first, or cannot be
// written, the call keeps a precise diagnostic and nothing is written.
// RUN: rm -rf %t && %snow-precompile --poll-points directives -o %t %s
// RUN: grep -v -e CHECK %t/conditional-call.snow.c | %FileCheck %s
// RUN: %not %snow-precompile --poll-points directives -o %t.bad %s -- -DREFUSED 2>&1 | %FileCheck %s --check-prefix=BAD
static int leaf(int x) {
#pragma snow poll
  return x + 1;
}

int main(int argc, char **argv) {
  (void)argv;
  // CHECK: int snow_sel_[[S:[0-9]+_11]] = {0}; if (argc > 1) { snow_sel_[[S]] = (0); } else {{{.*}}snow_sel_[[S]] = (leaf ( argc )); } int a = snow_sel_[[S]];
  int a = argc > 1 ? 0 : leaf(argc);
  // CHECK: _Bool snow_and_[[A:[0-9]+_11]] = (argc > 1); if (snow_and_[[A]]) {{{.*}}snow_L.snow_t2 = leaf ( a ); snow_and_[[A]] = (snow_L.snow_t2 > 2); } int b = snow_and_[[A]];
  int b = argc > 1 && leaf(a) > 2;
  // Unconditionally evaluated: nothing to lower.
  // CHECK: snow_L.snow_t3 = leaf(b); int d = snow_L.snow_t3 ?: a;
  int d = leaf(b) ?: a;
  // A loop condition is evaluated again each time round: it moves to the top
  // of the body first (LoopLowering.h), then its operator into a temporary.
  // CHECK: while (1) { _Bool snow_and_[[W:[0-9]+_[0-9]+]] = (d > 0); if (snow_and_[[W]]) {{{.*}} = leaf ( d ); snow_and_[[W]] = ({{.*}} > 5); } _Bool snow_while_{{[0-9]+}}_3 = (snow_and_[[W]]); if (!snow_while_{{[0-9]+}}_3) break; d--; }
  while (d > 0 && leaf(d) > 5) d--;
#ifdef REFUSED
  // GNU `x ?: y` evaluates y only when x is zero.
  // BAD: conditional-call.c:[[@LINE+1]]:16: error: a call to a migratable function in a conditionally evaluated operand
  int c = b ?: leaf(a);
  d += c;
#endif
  return a + b + d;
}
// BAD: snow-precompile: 1 error(s); no output written
