/* Globals and heap blocks pointing into live frames (csmith seed 497: a
 * checkpoint was written but every restart failed with "stack variable …
 * is not registered on this side"). The globals travel before any frame, so
 * the restart must patch their pointers when each frame is re-entered: `gp`
 * into main's frame, `deep` into a callee's frame, a heap cell into the
 * callee's frame. Checkpointed at any poll-point and restarted on any
 * platform, it must print what the original prints. */
#include <stdio.h>
#include <stdlib.h>

struct cell {
  int *target;
  int weight;
};

static int *gp;
static int *deep;
static struct cell *shared;

static int bump(int x) {
#pragma snow poll
  return x + 1;
}

static int inner(int n) {
  int acc[3] = {n, n + 1, n + 2};
  deep = &acc[1];
  shared->target = &acc[2];
  for (int k = 0; k < 3; k++) {
    *deep = bump(*deep);
    *shared->target += *gp + shared->weight;
    acc[0] = bump(acc[0]) + *deep;
  }
  deep = 0;
  shared->target = gp;
  return acc[0] + acc[1] + acc[2];
}

int main(void) {
  int local = 5;
  gp = &local;
  shared = malloc(sizeof *shared);
  shared->target = &local;
  shared->weight = 3;
  for (int j = 0; j < 4; j++) {
    local = bump(*gp);
    local += inner(j) % 17;
    printf("j=%d local=%d target=%d\n", j, local, *shared->target);
  }
  free(shared);
  printf("%d\n", local);
  return 0;
}
