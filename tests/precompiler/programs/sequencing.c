/* Calls on migration paths after a comma operator's left operand and after
 * earlier declarators of their declaration (csmith seed 68: a hoisted call
 * ran before the comma's left operand and the checksum was wrong). The
 * output depends on each side effect happening exactly once and in C's
 * order, also when the program is checkpointed at any poll-point — in
 * particular inside a call whose left operand has already run — and
 * restarted on any platform. */
#include <stdio.h>

static int g;
static unsigned long long trace;  /* the order of events, as digits */

static void note(int d) { trace = trace * 10u + (unsigned)d; }

static int get(int tag) {
#pragma snow poll
  note(tag);
  return g + tag;
}

static int twice(int x) { return 2 * get(x % 9) + x; }

int main(void) {
  int total = 0;
  for (int i = 0; i < 6; i++) {
    int r = (g = 10 + i, get(1));                 /* 11 + i */
    r = (note(2), g += r, (r -= 1, get(3) + r));  /* left operands once, outermost first */
    int a = g++, b = twice(a) + 1, c = (note(4), get(5));
    while ((g--, get(6)) > a + 3) total++;  /* three times */
    total += r + a + b + c;
    printf("%d: r=%d a=%d b=%d c=%d g=%d total=%d\n", i, r, a, b, c, g, total);
  }
  printf("trace=%llu\n", trace);
  return 0;
}
