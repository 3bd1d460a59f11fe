// Calls on a migration path in a do-while condition or a for-loop increment
// move into the loop body (precompiler/lib/LoopLowering.h): the condition
// becomes a flag assigned at the end of the body, the increment the body's
// last statement, and the loop's own `continue` a goto to them. Every line
// keeps its number. Loops it cannot lower keep the rewriter's diagnostic.
// RUN: rm -rf %t && %snow-precompile --poll-points directives -o %t %s
// RUN: grep -v -e CHECK %t/loop-lowering.snow.c | %FileCheck %s
// RUN: %not %snow-precompile --poll-points directives -o %t.bad %s -- -DSHADOW 2>&1 | %FileCheck %s --check-prefix=BAD
#include <stdlib.h>

static int more(int *left) {
#pragma snow poll
  return --*left > 0;
}

static int step(int i) {
#pragma snow poll
  return i + 1;
}

int main(void) {
  int n = 3, total = 0;
  // The flag is declared in a block around the loop (here it became a
  // member of the frame's locals, which leaves the `;`).
  // CHECK: { ; do {
  do {
    // CHECK-NEXT: if (snow_L.n == 2) goto snow_next_[[DO:[0-9]+_3]];
    if (n == 2) continue;
    total += n;
    // CHECK: snow_next_[[DO]]: { snow_F.resume_point = 1; snow_rp_1: snow_L.snow_more_[[DO]] = more ( & snow_L.n ); } } while (snow_L.snow_more_[[DO]]); }
  } while (more(&n));
  // A body that is one expression statement is wrapped in braces; without a
  // `continue` there is no label.
  // CHECK: for (snow_L.k = 0; snow_L.k < 9; ) { snow_L.total += snow_L.k; snow_F.resume_point = 2; snow_rp_2: snow_L.k = step ( snow_L.k ); }
  for (int k = 0; k < 9; k = step(k)) total += k;
  // A call to a library function stays where it is.
  // CHECK: for (snow_L.j = 0; snow_L.j < 2; snow_L.j = abs(snow_L.j) + 1) snow_L.total += snow_L.j;
  for (int j = 0; j < 2; j = abs(j) + 1) total += j;
#ifdef SHADOW
  // The body declares the name the condition uses: moving the condition
  // would change what it means, so the loop stays and is diagnosed.
  // BAD: loop-lowering.c:[[@LINE+4]]:12: error: a call to a migratable function in a do-while condition cannot be moved into the loop body
  do {
    int n = 0;
    total += n;
  } while (more(&n));
#endif
  return total;
}
