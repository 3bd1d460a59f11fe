// RUN: rm -rf %t && %snow-precompile --poll-points directives -o %t %s
// The output keeps the source's comments: drop the expectations themselves.
// RUN: grep -v -e CHECK -e REPORT %t/rewrite-basics.snow.c | %FileCheck %s
// RUN: %FileCheck %s --check-prefix=REPORT < %t/snow-report.json
#include <stdlib.h>

struct node {
  int value;
  struct node *next;
};

// Locals stay C locals; the struct is where they are saved. `n` is never
// written: saved once on entry. `list` and `sum` change: saved only when the
// poll-point fires, and every local live there is reloaded at its label.
// CHECK: struct snow_locals_walk { struct node *list; int n; long sum; };
// CHECK-SAME: snow_L.n = n; snow_enter(&snow_F, snow_unit_functions[{{[0-9]+}}], &snow_L);
long walk(struct node *list, int n) {
  long sum = 0;
  // CHECK: while (list) {
  while (list) {
#pragma snow poll
    // CHECK-NEXT: if (__builtin_expect(++snow_poll_count >= snow_poll_trigger, 0)) { snow_L.list = list; snow_L.sum = sum; snow_F.resume_point = 1; snow_poll(); snow_F.resume_point = 0; } if (0) { snow_rp_1:; list = snow_L.list; n = snow_L.n; sum = snow_L.sum; }
    sum += list->value * n;
    list = list->next;
  }
  // CHECK: { long snow_return = sum; snow_leave(&snow_F); return snow_return; }
  return sum;
}

int main(void) {
  // Assigned once, outside loops: saved where it is defined.
  // CHECK: struct node *head = snow_malloc(sizeof *head, snow_unit_types[{{[0-9]+}}]); snow_L.head = head;
  struct node *head = malloc(sizeof *head);
  head->value = 1;
  head->next = NULL;
  // `total` is live at no resume point: never saved.
  // CHECK: snow_F.resume_point = 1; if (0) { snow_rp_1:; head = snow_L.head; } long total = walk(head, 3);{{$}}
  long total = walk(head, 3);
  // CHECK: snow_free(head);
  free(head);
  return (int)total;
}
// CHECK-DAG: {"struct node", SNOW_KIND_STRUCT, 0, sizeof(struct node),
// CHECK-DAG: {"walk@1", SNOW_KIND_STRUCT, 0, sizeof(struct snow_locals_walk),
// CHECK: __attribute__((constructor)) static void snow_register_this_unit(void)

// REPORT: "poll_point_mode": "directives"
// REPORT: "function": "walk", "source": "directive", "resume_point": 1, "live": ["list", "n", "sum"]
// REPORT: "kind": "call", "file": "{{.*}}rewrite-basics.c", "line": 38, "column": 16, "callee": "walk", "live": ["head"]
