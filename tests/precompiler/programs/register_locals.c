/* Locals kept in registers between resume points (docs/precompiler.md):
 * parameters never written, locals written in loops and across calls, a
 * shadowed local live across a call, guard clauses moved into an inlined
 * wrapper (including a guard that must not be re-evaluated on resume:
 * `budget` has changed since the checkpointed call passed it), pointers and
 * doubles. Checkpointed at any poll-point and restarted on any platform, it
 * must print what the original prints. */
#include <stdio.h>
#include <stdlib.h>

struct node {
  long key;
  struct node *left, *right;
};

static long budget = 150;  /* runs out part-way through each round */
static unsigned long long trace;

static long tick(long x) {
#pragma snow poll
  trace = trace * 1099511628211ull + (unsigned long long)x;
  budget -= 1;
  return x % 13;
}

static struct node *build(int depth, long key) {
  if (depth == 0) return NULL;
  struct node *n = malloc(sizeof *n);
  n->key = key;
  n->left = build(depth - 1, key * 2);
  n->right = build(depth - 1, key * 2 + 1);
  return n;
}

/* Guards: a NULL subtree, and one reading a global the body changes. */
static long sum_tree(const struct node *t, int depth, double scale) {
  if (t == NULL) return 0;
  if (budget < 0) return -1;
  long here = tick(t->key) + depth;
  double weighted = scale * (double)here;
  long left = sum_tree(t->left, depth + 1, scale / 2);
  long right = sum_tree(t->right, depth + 1, scale / 2);
  for (int i = 0; i < 2; i++) here += tick(i + depth);
  return here + left + right + (long)(weighted * 8);
}

static void free_tree(struct node *t) {
  if (t == NULL) return;
  free_tree(t->left);
  free_tree(t->right);
  free(t);
}

int main(void) {
  struct node *root = build(6, 1);
  long total = 0;
  for (int round = 0; round < 3; round++) {
    long total = sum_tree(root, 0, 1.0 + round);  /* shadows the outer total */
    printf("round %d: %ld\n", round, total);
    budget = 150 + 40 * round;
  }
  for (int i = 0; i < 3; i++) total += tick(i) * i;
  printf("total %ld trace %llu\n", total, trace);
  free_tree(root);
  return 0;
}
