// RUN: rm -rf %t && %snow-precompile --poll-points directives --unit-root %S -o %t %s
// RUN: grep -v -e CHECK %t/untagged-and-const.snow.c | %FileCheck %s
// Untagged and function-local structs get tags at file scope, on their own
// lines; const globals are registered as constants.
#include <stdio.h>

// CHECK: static struct snow_anon_untagged_and_const_c_[[LINE:[0-9]+]]_8 {
static struct {
  int hits;
  const char *last;
} stats;

struct operation {
  const char *name;
  int (*apply)(int);
};
static int twice(int v) { return 2 * v; }
// CHECK: const struct operation table[] = {{[{][{]}}snow_str_{{[0-9]+}}, twice}};
const struct operation table[] = {{"twice", twice}};

// The local struct moves before its function, one line; its place keeps the lines.
// CHECK: struct tally { int count ; long sum ; } ; static struct tally snow_static_total_t; static long total(int n) {
static long total(int n) {
  static struct tally {
    int count;
    long sum;
  } t;
  t.count++;
  t.sum += n;
  return t.sum;
}

int main(void) {
  const struct operation *op = &table[0];
  for (int i = 0; i < 3; i++) {
#pragma snow poll
    stats.hits += op->apply(i) + (int)total(i);
  }
  printf("%d\n", stats.hits);
  return 0;
}
// The function in the table's initializer is in the function table.
// CHECK: (snow_function_address)twice
// CHECK: {"table", (void *)&table[0], {{[0-9]+}}, 1u, SNOW_GLOBAL_CONSTANT},
