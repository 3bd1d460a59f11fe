#include <setjmp.h>

static jmp_buf where;

/* A poll-point in a function that uses setjmp: the precompiler must refuse it. */
void risky(void) {
  if (setjmp(where) == 0) {
#pragma snow poll
    longjmp(where, 1);
  }
}
