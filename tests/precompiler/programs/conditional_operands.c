/* Calls on migration paths in operands C evaluates only conditionally: the
 * right operand of && and ||, the branches of ?:, in expression statements,
 * declarations, returns, if and switch conditions, nested, and in a branch
 * without braces. The precompiler evaluates each such operator into a
 * temporary just before its statement (precompiler/lib/ConditionalLowering.h);
 * every side effect must happen exactly when C says, also when the program is
 * checkpointed at any poll-point (inside a lowered call too) and restarted on
 * any platform. */
#include <stdio.h>

static unsigned long long trace; /* the order of events, as digits */

static int probe(int d) {
#pragma snow poll
  trace = trace * 10u + (unsigned)(d % 10);
  return d % 3 != 0;
}

static int pick(int a, int b) { return a > b ? probe(a) + a : probe(b) - b; }

static int count(int n) {
  if (n <= 0 || !probe(n)) return 0; /* probe only for n > 0 */
  return 1 + count(n - 2);
}

int main(void) {
  int total = 0;
  for (int i = 0; i < 8; i++) {
    int ok = i > 2 && probe(i);               /* declaration */
    total += ok || probe(i + 1) ? 10 : 1;      /* || inside ?: condition: lowered in two rounds */
    if (i % 2 == 0 && probe(i + 2)) total++;   /* if condition */
    else if (i == 5 || probe(7)) total += 2;   /* else-if: wrapped */
    switch (i > 4 ? probe(i) : 2) {            /* switch condition */
    case 0: total += 3; break;
    case 1: total += 4; break;
    default: total += pick(i, 4);
    }
    if (i == 6) total += (i & 1) ? probe(5) : probe(6) * 7; /* branch without braces */
    total += count(i);
  }
  printf("total=%d trace=%llu\n", total, trace);
  return 0;
}
