/* A global that points to a live local of a migratable function: the
 * checkpoint is written, but every restart fails with "cannot restart from
 * '…': stack variable with key 0 (frame 0, variable 0) is not registered on
 * this side" (the same with a local of a deeper frame: key 4294967296 for
 * frame 1). Checkpoint at poll-point 1, then restart: prints 8 unmigrated.
 * (csmith seed 232: func_24 stores &l_789[7] into *g_1093, and a later call
 * of func_24 at the same depth is live at the checkpoint.) */
#include <stdio.h>

static int *gp;

static int bump(int x) { return x + 1; }

int main(void) {
  int local = 5;
  gp = &local;
  for (int j = 0; j < 3; j++) local = bump(*gp);  /* an automatic poll-point */
  printf("%d\n", local);
  return 0;
}
