// RUN: %not %snow-precompile --poll-points directives -o %t %s 2>&1 | %FileCheck %s
// RUN: test ! -e %t/unsafe-constructs.snow.c
#include <setjmp.h>
#include <stdint.h>

static jmp_buf env;

static int leaf(int x) {
#pragma snow poll
  return x + 1;
}

static int cond(int x) { return x > 0 ? leaf(x) : 0; }  // see conditional-call.c

int main(void) {
  // CHECK: unsafe-constructs.c:[[@LINE+1]]:7: error: '{{_?}}setjmp' cannot be migrated: a jmp_buf holds machine registers and stack addresses [setjmp-longjmp]
  if (setjmp(env)) return 1;
  int local = 0;
  // CHECK: unsafe-constructs.c:[[@LINE+1]]:20: error: a pointer converted to an integer cannot be migrated (its value is an address of this process) [pointer-to-integer]
  uintptr_t bits = (uintptr_t)&local;
  return cond((int)bits & 1);
}
// CHECK: snow-precompile: {{[0-9]+}} error(s); no output written
