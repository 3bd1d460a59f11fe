/* Calls on migration paths in operands of while- and for-conditions that C
 * may not evaluate (of &&, || and ?:). Each condition moves to the top of
 * its body (precompiler/lib/LoopLowering.h) and its operators into
 * temporaries (ConditionalLowering.h): a short-circuited call must still not
 * run, `continue` must still run a for-loop's increment and then the
 * condition, and a name the body declares must not hide the condition's.
 * Checkpointed at any poll-point, including inside a call in a condition,
 * and restarted on any platform, the output must be the original program's. */
#include <stdio.h>

static unsigned long long trace; /* the order of events, as digits */

static int keep(int i) {
#pragma snow poll
  trace = trace * 10u + (unsigned)(i % 10);
  return i % 7 != 6;
}

static int bump(int *n) {
#pragma snow poll
  trace = trace * 10u + 9u;
  return ++*n;
}

int main(void) {
  int total = 0, i = 0;
  while (i < 20 && keep(i)) { /* keep says no at i == 6 */
    int i2 = i * 2;
    int total = i2; /* hides the outer total: not the condition's name */
    i++;
    trace += (unsigned long long)total;
  }
  int n = 0;
  for (int k = 0; k < 12 || bump(&n) < 15; k++) { /* bump runs once k reaches 12 */
    if (k % 3 == 0) continue;                       /* the increment, then the condition */
    total += k;
  }
  int j = 10;
  while (j > 0 ? keep(j)
               : 0) /* a branch of ?:, on two lines */
    j -= 3;
  int m = 0;
  while (m < 5 && (keep(m + 3) || bump(&m) > 100)) /* || inside the right operand of && */
    m++;
  printf("total=%d i=%d n=%d j=%d m=%d trace=%llu\n", total, i, n, j, m, trace);
  return 0;
}
