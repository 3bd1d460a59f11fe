// RUN: rm -rf %t && %snow-precompile --poll-points directives -o %t %s
// The output keeps the source's comments: drop the expectations themselves.
// RUN: grep -v -e CHECK -e REPORT %t/rewrite-basics.snow.c | %FileCheck %s
// RUN: %FileCheck %s --check-prefix=REPORT < %t/snow-report.json
#include <stdlib.h>

struct node {
  int value;
  struct node *next;
};

// CHECK: struct snow_locals_walk { struct node *list; int n; long sum; };
// CHECK-SAME: snow_enter(&snow_F, snow_unit_functions[{{[0-9]+}}], &snow_L);
long walk(struct node *list, int n) {
  long sum = 0;
  // CHECK: while (snow_L.list) {
  while (list) {
#pragma snow poll
    // CHECK-NEXT: SNOW_POLL(&snow_F, 1); snow_rp_1:;
    sum += list->value * n;
    list = list->next;
  }
  // CHECK: { long snow_return = snow_L.sum; snow_leave(&snow_F); return snow_return; }
  return sum;
}

int main(void) {
  // CHECK: snow_L.head = snow_malloc(sizeof *snow_L.head, snow_unit_types[{{[0-9]+}}]);
  struct node *head = malloc(sizeof *head);
  head->value = 1;
  head->next = NULL;
  // CHECK: snow_F.resume_point = 1; snow_rp_1: snow_L.total = walk(snow_L.head, 3);
  long total = walk(head, 3);
  // CHECK: snow_free(snow_L.head);
  free(head);
  return (int)total;
}
// CHECK-DAG: {"struct node", SNOW_KIND_STRUCT, 0, sizeof(struct node),
// CHECK-DAG: {"walk@1", SNOW_KIND_STRUCT, 0, sizeof(struct snow_locals_walk),
// CHECK: __attribute__((constructor)) static void snow_register_this_unit(void)

// REPORT: "poll_point_mode": "directives"
// REPORT: "function": "walk", "source": "directive", "resume_point": 1, "live": ["list", "n", "sum"]
// REPORT: "kind": "call", "file": "{{.*}}rewrite-basics.c", "line": 33, "column": 16, "callee": "walk", "live": ["head"]
