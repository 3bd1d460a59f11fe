// A migratable function handed to a function outside the program is called
// back where its caller's frame stands at no resume point: a warning where
// it is passed, a poll-point that makes a request wait, and resume points
// that go back to 0 once a call or poll-point is left.
// RUN: %snow-precompile --poll-points directives -o %t %s 2>&1 | %FileCheck %s --check-prefix=DIAG
// RUN: %FileCheck %s < %t/callbacks.snow.c
#include <signal.h>
#include <stdlib.h>

static long total;

static void work(int n) {
  for (int i = 0; i < n; i++) {
#pragma snow poll
    total += i;
  }
}

static int by_value(const void *a, const void *b) {
  const int x = *(const int *)a, y = *(const int *)b;
  // CHECK: snow_F.resume_point = 1; snow_poll(); snow_F.resume_point = 0; }
#pragma snow poll
  return (x > y) - (x < y);
}

static void on_signal(int sig) { work(sig); }

static int plain_order(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }

int main(void) {
  int v[8] = {5, 3, 7, 1, 8, 2, 6, 4};
  work(3);
  // DIAG: callbacks.c:[[@LINE+1]]:28: warning: 'by_value' reaches a poll-point and is passed to 'qsort', which is not part of the program: while 'qsort' calls it back, a checkpoint or migration waits for a poll-point outside it [poll-point-in-callback]
  qsort(v, 8, sizeof v[0], by_value);
  // DIAG: callbacks.c:[[@LINE+1]]:19: warning: 'on_signal' reaches a poll-point and is passed to 'signal'
  signal(SIGUSR2, &on_signal);
  // A function that reaches no poll-point is no concern.
  // DIAG-NOT: plain_order
  qsort(v, 8, sizeof v[0], plain_order);
  // DIAG-NOT: never called from main
  return (int)total;
}
