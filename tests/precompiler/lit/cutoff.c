// `#pragma snow cutoff(<condition>)`: a call for which the condition holds on
// entry runs a plain copy of its function, and the copy's calls of migratable
// functions go to their plain copies.
// RUN: rm -rf %t && %snow-precompile --poll-points directives -o %t %s
// RUN: grep -v -e CHECK -e REPORT %t/cutoff.snow.c | %FileCheck %s
// RUN: %FileCheck %s --check-prefix=REPORT < %t/snow-report.json
// REPORT: "cutoffs": [
// REPORT-NEXT: {"function": "sum", "file": "{{.*}}cutoff.c", "line": 39, "column": 1, "condition": "height < 4", "plain": ["sum", "visit"]},
// REPORT-NEXT: {"function": "count", "file": "{{.*}}cutoff.c", "line": 63, "column": 1, "condition": "*n > 100", "plain": ["count", "sum", "visit"]}
#include <stddef.h>

struct node {
  int value;
  struct node *left, *right;
};

static int visit(struct node *t) {
#pragma snow poll
  return t->value;
}
// Each copy follows its function, under a #line of the original and followed
// by a #line that puts the rest of the file back: the original code, renamed,
// calling plain copies, with no poll-points.
// CHECK: snow_leave(&snow_F); }
// CHECK-NEXT: #line [[#@LINE-8]] "{{.*}}cutoff.c"
// CHECK-NEXT: static int snow_plain_{{.*}}cutoff_c_visit(struct node *t) {
// CHECK-EMPTY:
// CHECK-NEXT: return t->value;
// CHECK-NEXT: }
// CHECK-NEXT: #line [[#@LINE-10]] "{{.*}}cutoff.c"

// The cutoff joins the guard in the inlined wrapper, skipped while resuming,
// and forwards the parameters to the plain copy; the body no longer has it.
// CHECK: static int (snow_plain_{{.*}}cutoff_c_sum)(struct node *, int);
// CHECK-SAME: __attribute__((noinline)) static int snow_body_{{.*}}cutoff_c_sum(struct node *t, int height)
static int sum(struct node *t, int height) {
  if (t == NULL)
    return 0;
#pragma snow cutoff(height < 4)
  // CHECK: snow_F.resume_point = 1; {{.*}} int here = visit(t);
  int here = visit(t);
  return here + sum(t->left, height - 1) + sum(t->right, height - 1);
}
// The copy's guards go into a wrapper, inlined by the compiler; its body
// follows on the same line.
// CHECK: static int (snow_plain_{{.*}}cutoff_c_visit)(struct node *);
// CHECK-NEXT: static int (snow_plain_body_{{.*}}cutoff_c_sum)(struct node *, int);
// CHECK-NEXT: #line [[#@LINE-12]] "{{.*}}cutoff.c"
// CHECK-NEXT: static int snow_plain_{{.*}}cutoff_c_sum(struct node *t, int height) {
// CHECK-NEXT: if (t == NULL)
// CHECK-NEXT: return 0; return snow_plain_body_{{.*}}cutoff_c_sum(t, height); } __attribute__((noinline)) static int snow_plain_body_{{.*}}cutoff_c_sum(struct node *t, int height) {
// CHECK: int here = snow_plain_{{.*}}cutoff_c_visit(t);
// CHECK-NEXT: return here + snow_plain_{{.*}}cutoff_c_sum(t->left, height - 1) + snow_plain_{{.*}}cutoff_c_sum(t->right, height - 1);
// CHECK-NEXT: }
// CHECK-NEXT: #line [[#@LINE-12]] "{{.*}}cutoff.c"
// CHECK: static int sum(struct node *t, int height) { if (__builtin_expect(!snow_resuming, 1) && (t == NULL)) return 0; if (__builtin_expect(!snow_resuming, 1) && (height < 4)) return snow_plain_{{.*}}cutoff_c_sum(t, height); return snow_body_{{.*}}cutoff_c_sum(t, height); }

// Without a wrapper (a comment in the header), the cutoff stays first in the
// body, before the frame is pushed.
// CHECK: static void count(struct node *t, int *n) /* no wrapper */ { {{.*}}
// CHECK-NEXT: if (__builtin_expect(!snow_resuming, 1) && (*n > 100)) { snow_plain_{{.*}}cutoff_c_count(t, n); return; } snow_L.t = t; snow_L.n = n; snow_enter(
static void count(struct node *t, int *n) /* no wrapper */ {
#pragma snow cutoff(*n > 100)
  ++*n;
  if (t != NULL) {
    count(t->left, n);
    (void)sum(t->right, 3);
  }
}
// CHECK: static int (snow_plain_{{.*}}cutoff_c_sum)(struct node *, int);
// CHECK-NEXT: #line [[#@LINE-9]] "{{.*}}cutoff.c"
// CHECK-NEXT: static void snow_plain_{{.*}}cutoff_c_count(struct node *t, int *n) /* no wrapper */ {
// CHECK: snow_plain_{{.*}}cutoff_c_count(t->left, n);
// CHECK-NEXT: (void)snow_plain_{{.*}}cutoff_c_sum(t->right, 3);
// CHECK-NEXT: }
// CHECK-NEXT: }
// CHECK-NEXT: #line [[#@LINE-8]] "{{.*}}cutoff.c"

int main(void) {
  struct node leaf = {3, NULL, NULL}, root = {1, &leaf, NULL};
  int n = 0;
  count(&root, &n);
  return sum(&root, 5) + n;
}

// A renamed function - a body split from its guards, a plain copy - still
// answers __func__ (also through a macro) with the user's name.
#define WHERE() __func__
// CHECK: #define __func__ "named"
// CHECK-NEXT: #define __FUNCTION__ "named"
// CHECK-NEXT: #define __PRETTY_FUNCTION__ "named"
// CHECK-NEXT: #line [[#@LINE+7]] "{{.*}}cutoff.c"
// CHECK-NEXT: __attribute__((noinline)) static const char *snow_body_{{.*}}_named(int n)
// CHECK: #undef __func__
// CHECK-NEXT: #undef __FUNCTION__
// CHECK-NEXT: #undef __PRETTY_FUNCTION__
// CHECK-NEXT: #line [[#@LINE+7]] "{{.*}}cutoff.c"
// CHECK-NEXT: static const char *named(int n) { if (__builtin_expect(!snow_resuming, 1) && (n < 0)) return __func__;
static const char *named(int n) {
  if (n < 0)
    return __func__;
#pragma snow poll
  return n ? WHERE() : __FUNCTION__;
}
