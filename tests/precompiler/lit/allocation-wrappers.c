// RUN: rm -rf %t && %snow-precompile --poll-points directives -o %t %s
// RUN: grep -v -e CHECK %t/allocation-wrappers.snow.c | %FileCheck %s
// Allocation wrappers allocate pending blocks; their callers type them.
#include <stdio.h>
#include <stdlib.h>

struct point {
  double x, y;
};

// CHECK: static void *xmalloc(size_t n) {
// CHECK-NEXT: void *p = snow_malloc_pending(n);
static void *xmalloc(size_t n) {
  void *p = malloc(n);
  if (p == NULL) abort();
  return p;
}

// A wrapper of a wrapper passes the pending block on, untouched.
// CHECK: static void *xcalloc(size_t count, size_t size) {
// CHECK-NEXT: void *p = xmalloc(count * size);
static void *xcalloc(size_t count, size_t size) {
  void *p = xmalloc(count * size);
  for (size_t i = 0; i < count * size; i++) ((unsigned char *)p)[i] = 0;
  return p;
}

int main(void) {
  // CHECK: struct point *points = snow_adopt(xmalloc(4 * sizeof *points), snow_unit_types[{{[0-9]+}}]);
  struct point *points = xmalloc(4 * sizeof *points);
  // CHECK: int *counts = snow_adopt(xcalloc(4, sizeof(int)), snow_unit_types[{{[0-9]+}}]);
  int *counts = xcalloc(4, sizeof(int));
  for (int i = 0; i < 4; i++) {
#pragma snow poll
    points[i].x = counts[i];
  }
  printf("%g\n", points[3].x);
  return 0;
}
