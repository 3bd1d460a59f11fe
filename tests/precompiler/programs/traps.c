/* The traps of migrating C execution state, in one program (see
 * ../../../docs/precompiler.md): calls on migration paths nested in
 * expressions, in if/while/for conditions, with side-effecting arguments;
 * shadowed locals in inner scopes; goto; static locals; a string table;
 * calls through function pointers; an address-taken local array handed to a
 * callee; recursion. Its output must not change when it is checkpointed at
 * any poll-point and restarted on any platform. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *names[] = {"alpha", "beta", "gamma", "delta"};
static char *labels[4];
static unsigned long long checksum;  /* wraps the same way on every platform */

static int step(int x) {
  static int calls;  /* a static local: survives migration */
  ++calls;
#pragma snow poll
  checksum = checksum * 31u + (unsigned)x + (unsigned)calls;
  return x % 7 + 1;
}

static int twice(int x) { return 2 * step(x); }
static int thrice(int x) { return 3 * step(x + 1); }
static int (*const ops[2])(int) = {twice, thrice};

static long fill(int *values, int n) {
  long sum = 0;
  for (int i = 0; i < n; i++) {
    values[i] = step(i) + values[i];
    sum += values[i];
  }
  return sum;
}

static int fib(int n) {
  if (n < 2) return step(n);
  return fib(n - 1) + fib(n - 2);  /* two calls in one return expression */
}

int main(void) {
  int values[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  for (int i = 0; i < 4; i++) {
    labels[i] = malloc(strlen(names[i]) + 8);
    sprintf(labels[i], "%s-%d", names[i], i);
  }
  int round = 0;
  while (step(round) < 6 && round < 40) {  /* a call in a loop condition */
    int x = round * 3;                     /* shadowed below */
    {
      int x = step(round) + twice(round);  /* nested calls in one expression */
      printf("round %d inner x %d\n", round, x);
    }
    if (twice(x) > 5) printf("round %d big %d\n", round, x);  /* a call in an if condition */
    int k = 0;
    int r = ops[round % 2](k++);  /* through a function pointer, side-effecting argument */
    printf("round %d op %d k %d label %s\n", round, r, k, labels[round % 4]);
    round++;
  }
  long total = fill(values, 8);
  for (int i = 0; fib(i) < 30; i++) total += i;  /* a call in a for condition */
  int tries = 0;
again:
  if (step(tries) < 3 && tries < 10) {
    tries++;
    goto again;
  }
  printf("total %ld tries %d checksum %llu\n", total, tries, checksum);
  for (int i = 0; i < 8; i++) printf("%d ", values[i]);
  printf("\n");
  return 0;
}
