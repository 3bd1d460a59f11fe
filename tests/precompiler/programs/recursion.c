#include <stdio.h>
#include <stdlib.h>

struct item {
  long value;
  struct item *next;
};
static struct item *items;
static long total;

static long sum_list(const struct item *p) {
  long s = 0;
  for (; p; p = p->next) s += p->value;
  return s;
}

static long work(int depth, long acc) {
  if (depth == 0) {
    for (int i = 0; i < 5; i++) {
#pragma snow poll
      struct item *it = malloc(sizeof *it);
      it->value = acc + i;
      it->next = items;
      items = it;
      printf("leaf acc=%ld i=%d sum=%ld\n", acc, i, sum_list(items));
    }
    return acc;
  }
  long r = work(depth - 1, acc * 3 + depth);
  total += r;
  return r + 1;
}

int main(int argc, char **argv) {
  int rounds = argc > 1 ? atoi(argv[1]) : 4;
  for (int round = 0; round < rounds; round++) {
#pragma snow poll
    long r = work(3, round);
    printf("round %d -> %ld total %ld\n", round, r, total);
  }
  return 0;
}
