// Locals of migratable functions stay ordinary C locals (registers) and are
// copied into the locals struct only where a collection can see them; what
// cannot be named or reloaded safely stays in the struct.
// RUN: rm -rf %t && %snow-precompile --poll-points directives -o %t %s
// RUN: grep -v -e CHECK %t/register-locals.snow.c | %FileCheck %s
#include <stddef.h>

struct node {
  int value;
  struct node *left, *right;
};

static int visit(int x) {
#pragma snow poll
  return x + 1;
}

// A leading guard moves into a wrapper with the function's name, which the
// compiler inlines into callers; the body becomes snow_body_…, noinline, and
// pushes its frame. `&t->value` takes the node's address, not t's: t stays a
// register local, saved once on entry (it is never written).
// CHECK: static int walk(struct node *t, int depth) ; struct snow_locals_{{.*}}_walk { struct node *t; int depth; int *slot; int sum; int snow_t2; int snow_t3; };
// CHECK-SAME: __attribute__((noinline)) static int snow_body_{{.*}}_walk(struct node *t, int depth)
// CHECK: snow_L.t = t; snow_L.depth = depth; snow_enter(
static int walk(struct node *t, int depth) {
  if (t == NULL)
    return 0;
  int *slot = &t->value;
  // CHECK: int sum = visit(*slot);
  int sum = visit(*slot);
  // `sum` changes after its definition: saved before each call where live.
  // CHECK: snow_L.sum = sum; snow_F.resume_point = 2; if (0) { snow_rp_2:; t = snow_L.t; depth = snow_L.depth; sum = snow_L.sum; }
  sum += walk(t->left, depth + 1);
  sum += walk(t->right, depth + 1);
  return sum;
}
// The wrapper skips the guard while resuming: the checkpointed call passed it.
// CHECK: snow_leave(&snow_F); } static int walk(struct node *t, int depth) { if (__builtin_expect(!snow_resuming, 1) && (t == NULL)) return 0; return snow_body_{{.*}}_walk(t, depth); }

int main(void) {
  struct node leaf = {3, NULL, NULL};  // address taken, a struct: in memory
  // CHECK: __builtin_memcpy(&snow_L.leaf,
  const int base = 10;  // const: cannot be reloaded by assignment, in memory
  // CHECK: snow_L.base = 10;
  int *p;  // a pointer without initialiser is initialised: a spill must never carry garbage
  // CHECK: int *p = 0;
  int total = 0;
  for (int i = 0; i < 2; i++) {
    int total = walk(&leaf, i);  // shadows the outer `total`, live across the call
    // The outer `total` could not be named at the call: it stays in memory;
    // the inner one keeps its declaration, and `i` is saved and reloaded.
    // CHECK: snow_L.i = i; snow_F.resume_point = 1; if (0) { snow_rp_1:; i = snow_L.i; } int total = walk(&snow_L.leaf, i);
    p = &leaf.value;
    *p += total;
  }
  // CHECK: { int snow_return = snow_L.total + snow_L.base; snow_leave(&snow_F); return snow_return; }
  return total + base;
}
