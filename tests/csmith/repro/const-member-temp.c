/* A struct with a const member, in a migratable function: the precompiler
 * copies values into the locals struct by assignment, which C forbids for
 * such a struct. gcc: "assignment of read-only member 'snow_t1'" (a call's
 * result hoisted into a temporary), "… 'p'" (a parameter), "… 'snow_a3_0'"
 * (an argument evaluated into a temporary). (csmith seeds 10, 48, 56, 78, 88,
 * …: csmith's structs and unions often have const fields.) */
#include <stdio.h>

struct S {
  const int a;
  int b;
};

static int bump(int x) { return x + 1; }

static struct S make(int x) {
  for (int i = 0; i < 2; i++) x = bump(x);  /* an automatic poll-point: make is migratable */
  struct S s = {x, x + 1};
  return s;
}

static int use(struct S p, int n) {  /* migratable too: p moves into the locals struct */
  for (int i = 0; i < n; i++) n = bump(n) - 1;
  return p.a + p.b;
}

int main(void) {
  int r = make(1).b + 1;         /* the call's result goes to a temporary */
  r += use(make(r), bump(0));    /* make(r): an argument with a call, to a temporary */
  printf("%d\n", r);
  return 0;
}
