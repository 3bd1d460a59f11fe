/* Calls on migration paths in a do-while condition and in a for-loop
 * increment, with `continue` in the bodies (it must still run the condition
 * or the increment), nested loops, a body-local name that is not the
 * condition's, and a multi-line condition. The precompiler moves each call
 * into the loop body (precompiler/lib/LoopLowering.h); the output must be
 * the original program's when checkpointed at any poll-point, including
 * inside a moved call, and restarted on any platform. */
#include <stdio.h>

static unsigned long long trace; /* the order of events, as digits */

static int step(int i) {
#pragma snow poll
  trace = trace * 10u + (unsigned)(i % 10);
  return i + 1;
}

static int more(int *left) {
#pragma snow poll
  return --*left > 0;
}

int main(void) {
  int total = 0;
  int left = 5;
  do {
    int i;  /* not a name the condition uses */
    for (i = 0; i < 4; i = step(i)) {
      if (i == 2) continue; /* the increment still runs */
      total += i * left;
    }
    if (left == 3) continue; /* the condition still runs */
    total += 100;
  } while (more(&left));
  int rounds = 3;
  do {
    int inner = 2;
    do {
      total += inner;
    } while (more(&inner) &&
             total > 0); /* nested, on two lines */
  } while (more(&rounds));
  for (int k = 0; k < 30; k = step(k) + 1) total += k;
  printf("total=%d left=%d rounds=%d trace=%llu\n", total, left, rounds, trace);
  return 0;
}
