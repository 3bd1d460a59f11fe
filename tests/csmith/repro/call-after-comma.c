/* A call on a migration path in the right operand of a comma operator is
 * hoisted into a temporary ahead of the whole statement, so it runs before
 * the left operand's side effects, which C sequences before it: prints 2
 * instead of 12. (csmith seeds 68, 97: "(*l_8) = g_7), (func_10(…func_36(l_8…")) */
#include <stdio.h>

static int g;

static int bump(int x) { return x + 1; }

static int get(void) {
  int s = 0;
  for (int i = 0; i < 2; i++) s = bump(s);  /* an automatic poll-point: get is migratable */
  return g + s;
}

int main(void) {
  int r;
  r = (g = 10, get());
  printf("%d\n", r);
  return 0;
}
