/* Cutoffs (#pragma snow cutoff): below a cutoff a call runs a plain copy of
 * its function, and so does everything it calls. Here two functions recurse
 * into each other, both reach poll-points, and each has a cutoff: the plain
 * copies call each other, allocate typed blocks, count in a static local and
 * print, and the blocks they leave behind travel with the next checkpoint.
 * descend's cutoff goes into its inlined wrapper; leaf_work's header holds a
 * comment, so its cutoff stays at the top of its body. */
#include <stdio.h>
#include <stdlib.h>

struct cell {
  long value;
  struct cell *next;
};
static struct cell *cells;
static long visits;

static long leaf_work(int n, long acc);

static long descend(int depth, long acc) {
  if (depth < 0)
    return acc;
#pragma snow cutoff(depth < 3)
#pragma snow poll
  long left = descend(depth - 1, (acc * 2 + 1) % 1000003);
  long right = leaf_work(depth, left);
  if (depth == 5)
    printf("  descend 5: left %ld right %ld\n", left, right);
  return (left ^ right) % 1000003;
}

static long leaf_work(int n, long acc) /* cut off on a condition of both parameters */ {
#pragma snow cutoff(n < 2 || acc % 3 == 0)
  static int calls;
  const char *tag = n % 2 ? "odd" : "even";
  calls++;
  struct cell *c = malloc(sizeof *c);
  c->value = acc % 1000 + calls + (long)tag[0];
  c->next = cells;
  cells = c;
  visits++;
#pragma snow poll
  if (n > 0)
    return descend(n - 1, acc + 1) + c->value;
  return c->value;
}

int main(int argc, char **argv) {
  int rounds = argc > 1 ? atoi(argv[1]) : 3;
  for (int round = 0; round < rounds; round++) {
#pragma snow poll
    long r = descend(7, round);
    long sum = 0;
    int count = 0;
    for (const struct cell *c = cells; c; c = c->next) {
      sum += c->value;
      count++;
    }
    printf("round %d -> %ld cells %d sum %ld visits %ld\n", round, r, count, sum, visits);
  }
  return 0;
}
