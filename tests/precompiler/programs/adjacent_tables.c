/* A pointer to a const table that starts exactly where another const array
 * ends (GCC places `weights` right before `items`), kept in main's locals
 * next to an array of pointers to the other array's type, as NAS MG's `cls`
 * followed `double *line[3]`. `items` is 32-byte aligned: where long is
 * 4 bytes, a gap follows `weights`, so a `cls` recorded as one past the end
 * of `weights` would point into the gap after a restart there. */
#include <stdio.h>

struct item {
  char name;
  int n;
  double x;
};

static const struct item items[] __attribute__((aligned(32))) = {{'a', 1, 0.5}, {'b', 2, 1.5}, {'c', 3, 2.5}};
static const long weights[4] __attribute__((aligned(32))) = {1, 2, 3, 4};

static const struct item *find(char name) {
  for (int i = 0; i < 3; i++)
    if (items[i].name == name) return &items[i];
  return NULL;
}

int main(void) {
  long cells[6] = {10, 20, 30, 40, 50, 60};
  long *line[3] = {&cells[0], &cells[2], &cells[4]};
  const struct item *cls = find('a');
  const long *end = weights + 4;
  long sum = 0;
  for (int i = 0; i < 4; i++) {
#pragma snow poll
    sum += weights[i] * *line[i % 3] + (long)(end - weights);
    printf("%d: %c %d %g sum %ld\n", i, cls->name, cls->n, cls->x, sum);
  }
  return 0;
}
