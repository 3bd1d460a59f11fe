// Calls on a migration path in conditionally evaluated operands are not
// lowered yet: each gets a precise diagnostic and nothing is written.
// RUN: %not %snow-precompile --poll-points directives -o %t %s 2>&1 | %FileCheck %s
static int leaf(int x) {
#pragma snow poll
  return x + 1;
}

int main(int argc, char **argv) {
  (void)argv;
  // CHECK: conditional-call.c:[[@LINE+1]]:26: error: a call to a migratable function in a conditionally evaluated operand (&&, ||, ?:) is not supported; move it into its own statement [unsupported-call-site]
  int a = argc > 1 ? 0 : leaf(argc);
  // CHECK: conditional-call.c:[[@LINE+1]]:23: error: a call to a migratable function in a conditionally evaluated operand
  int b = argc > 1 && leaf(a) > 2;
  // GNU `x ?: y` evaluates y only when x is zero.
  // CHECK: conditional-call.c:[[@LINE+1]]:16: error: a call to a migratable function in a conditionally evaluated operand
  int c = b ?: leaf(a);
  // CHECK-NOT: conditional-call.c:[[@LINE+1]]:{{.*}}error
  int d = leaf(b) ?: a;
  return a + b + c + d;
}
// CHECK: snow-precompile: 3 error(s); no output written
