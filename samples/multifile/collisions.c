/* Short-range repulsion by sweep and prune: sort the particles by x with qsort, then compare
 * each one only with the following particles whose x is within the interaction radius. */
#include "particles.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* qsort's comparator takes no context argument, so the key array it reads is a global. */
static const double *sort_key;

/* The permutation buffer is kept between calls and grown when needed. */
static int *order;
static int order_capacity;

/* Orders particle indices by x; equal x by index, so any qsort algorithm gives one result. */
static int by_x(const void *a, const void *b) {
  int i = *(const int *)a, j = *(const int *)b;
  if (sort_key[i] < sort_key[j])
    return -1;
  if (sort_key[i] > sort_key[j])
    return 1;
  return (i > j) - (i < j);
}

static void sort_by_x(const struct particles *p) {
  if (order_capacity < p->n) {
    int *grown = realloc(order, (size_t)p->n * sizeof *order);
    if (grown == NULL) {
      fprintf(stderr, "multifile: out of memory\n");
      exit(3);
    }
    order = grown;
    order_capacity = p->n;
  }
  for (int i = 0; i < p->n; i++)
    order[i] = i;
  sort_key = p->x;
  qsort(order, (size_t)p->n, sizeof *order, by_x);
  sort_key = NULL;
}

/* Pushes i and j apart along the line between them, in proportion to the overlap. */
static void push_apart(struct particles *p, int i, int j, double radius, double dt) {
  double dx = p->x[j] - p->x[i], dy = p->y[j] - p->y[i];
  double d2 = dx * dx + dy * dy;
  if (d2 >= radius * radius || d2 == 0.0)
    return;
  double d = sqrt(d2);
  double impulse = 0.5 * (radius - d) / d * dt;
  p->vx[i] -= impulse * dx / p->mass[i];
  p->vy[i] -= impulse * dy / p->mass[i];
  p->vx[j] += impulse * dx / p->mass[j];
  p->vy[j] += impulse * dy / p->mass[j];
}

int collide(struct particles *p, double radius, double dt) {
  sort_by_x(p);
  int close = 0;
  for (int a = 0; a < p->n; a++) {
    int i = order[a];
    for (int b = a + 1; b < p->n && p->x[order[b]] - p->x[i] < radius; b++) {
      push_apart(p, i, order[b], radius, dt);
      close++;
    }
  }
  return close;
}

void collisions_release(void) {
  free(order);
  order = NULL;
  order_capacity = 0;
}
