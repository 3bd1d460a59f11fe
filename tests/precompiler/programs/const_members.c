/* A struct with a const member cannot be assigned, only initialised: locals,
 * call temporaries and hoisted arguments of such a type are stored by copy. */
#include <stdio.h>
struct S { const int id; int v; };
static struct S make(int i) { struct S s = {i, i * 2}; return s; }
static int use(struct S s) {
#pragma snow poll
  return s.id + s.v;
}
int main(void) {
  int total = 0;
  for (int i = 0; i < 5; i++) {
#pragma snow poll
    struct S s = make(i);
    total += use(make(i)) + s.v;
  }
  printf("%d\n", total);
  return 0;
}
