/* Callbacks: qsort calls a migratable comparator back, and the comparator
 * has a poll-point. While qsort runs, main's frame stands at no resume point
 * (qsort is no call the precompiler can resume), so a checkpoint requested at
 * a poll-point inside the comparator waits for the next poll-point outside
 * it: the first one of the work() after the sort. Checkpoints asked for
 * before, inside and after a sort must all restart to the same output. */
#include <stdio.h>
#include <stdlib.h>

#define COUNT 40

static long total;

static void work(int n, int scale) {
  for (int i = 0; i < n; i++) {
#pragma snow poll
    total += (long)i * scale;
  }
}

static int by_value(const void *a, const void *b) {
  const int x = *(const int *)a, y = *(const int *)b;
#pragma snow poll
  return (x > y) - (x < y);
}

int main(void) {
  int values[COUNT];
  for (int round = 0; round < 3; round++) {
    for (int i = 0; i < COUNT; i++) values[i] = (i * 37 + round * 11) % COUNT - COUNT / 2;
    work(4, round + 1);
    qsort(values, COUNT, sizeof values[0], by_value);
    work(4, round + 2);
    printf("round %d:", round);
    for (int i = 0; i < COUNT; i += 5) printf(" %d", values[i]);
    printf(" total %ld\n", total);
  }
  return 0;
}
