// What a cutoff cannot do is an error at its pragma, and nothing is written.
// RUN: %not %snow-precompile --poll-points directives -o %t %s 2>&1 | %FileCheck %s
// RUN: test ! -e %t/cutoff-errors.snow.c
static int leaf(int x) {
#pragma snow poll
  return x + 1;
}

static int plain(int x) {
  // CHECK: cutoff-errors.c:[[@LINE+1]]:1: warning: '#pragma snow cutoff' has no effect: no poll-point can be reached from 'plain', so its calls are plain already [cutoff-no-effect]
#pragma snow cutoff(x < 2)
  return x * 2;
}

static int late(int x) {
  int y = leaf(x);
  // CHECK: cutoff-errors.c:[[@LINE+1]]:1: error: '#pragma snow cutoff' must come first in the body of 'late', before any declaration or statement other than guard clauses ('if (…) return …;') [cutoff-position]
#pragma snow cutoff(x < 2)
  return y;
}

static int twice(int x) {
#pragma snow cutoff(x < 2)
  // CHECK: cutoff-errors.c:[[@LINE+1]]:1: error: 'twice' has a cutoff already; join the conditions with '||' [cutoff-repeated]
#pragma snow cutoff(x > 9)
  return leaf(x);
}

static int called(int x) {
  // CHECK: cutoff-errors.c:[[@LINE+1]]:21: error: the cutoff's condition calls a function that can reach a poll-point (or through a pointer); it is evaluated before the frame exists [cutoff-condition-call]
#pragma snow cutoff(leaf(x) < 2)
  return leaf(x);
}

static int (*op)(int) = leaf;
static int indirect(int x) {
  // CHECK: cutoff-errors.c:[[@LINE+1]]:1: error: 'indirect' calls through a function pointer that may reach a poll-point; a plain copy cannot make that call, because a plain call cannot enter a migratable function [cutoff-indirect-call]
#pragma snow cutoff(x < 2)
  return op(x);
}

int main(void) {
  // CHECK: cutoff-errors.c:[[@LINE+1]]:1: error: '#pragma snow cutoff' cannot be used in 'main', which is called once [cutoff-in-main]
#pragma snow cutoff(1)
  return plain(1) + late(2) + twice(3) + called(4) + indirect(5);
}
