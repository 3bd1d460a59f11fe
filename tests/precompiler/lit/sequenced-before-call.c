// A call on a migration path hoisted out of its expression must still run
// after what C sequences before it: the left operand of a comma operator and
// the earlier declarators of its declaration (csmith seed 68 printed a wrong
// checksum when `(*l_8 = g_7), func_10(…)` ran func_10 first). Calls that are
// never evaluated (sizeof) are not resume points.
// RUN: rm -rf %t && %snow-precompile --poll-points directives -o %t %s
// RUN: grep -v -e CHECK -e REPORT %t/sequenced-before-call.snow.c | %FileCheck %s
// RUN: %FileCheck %s --check-prefix=REPORT < %t/snow-report.json
static int g;

static int get(void) {
#pragma snow poll
  return g + 2;
}

static int twice(int x) { return 2 * get() + x; }

int main(void) {
  int r;
  // The left operand first, before the resume label, then the call; the comma
  // keeps only its right operand.
  // CHECK: (void)(g = 10); snow_L.r = r; snow_F.resume_point = 1; if (0) { snow_rp_1:; r = snow_L.r; } snow_L.snow_t1 = get(); r = (snow_L.snow_t1);
  r = (g = 10, get());
  // Nested commas: outermost left operand first.
  // CHECK: (void)(g = 1); (void)(r += g); snow_L.r = r; snow_F.resume_point = 2; if (0) { snow_rp_2:; r = snow_L.r; } snow_L.snow_t2 = get(); r = ((snow_L.snow_t2 + 1));
  r = (g = 1, (r += g, get() + 1));
  // A call in the left operand stays ahead of the comma's left-operand
  // evaluation, which reads its value.
  // CHECK: snow_F.resume_point = 3; if (0) { snow_rp_3:; r = snow_L.r; } snow_L.snow_t3 = get(); (void)(r = snow_L.snow_t3); snow_L.r = r; snow_F.resume_point = 4; if (0) { snow_rp_4:; r = snow_L.r; } snow_L.snow_t4 = twice(r); r = (snow_L.snow_t4);
  r = (r = get(), twice(r));
  // Earlier declarators of the same declaration are assigned first (to the
  // locals struct: such a declaration cannot stay a declaration).
  // CHECK: snow_L.a = g++; snow_L.r = r; snow_F.resume_point = 5; if (0) { snow_rp_5:; r = snow_L.r; } snow_L.snow_t5 = twice(snow_L.a); snow_L.b = snow_L.snow_t5 + 1;
  int a = g++, b = twice(a) + 1;
  // In a loop condition the left operand runs on every test.
  // CHECK: while (1) { (void)(g--); snow_L.r = r; snow_F.resume_point = 6; if (0) { snow_rp_6:; r = snow_L.r; } snow_L.snow_t6 = get(); if (!((snow_L.snow_t6) > 5)) break;
  while ((g--, get()) > 5) r++;
  // Not evaluated: no resume point, left as written.
  // CHECK: r += (int)sizeof(get());
  r += (int)sizeof(get());
  return r + a + b;
}

// `a` is assigned before the label of the call in `b`'s declarator: it is saved there.
// REPORT: "function": "main", "index": 5, "kind": "call", "file": "{{.*}}", "line": 34, "column": 20, "callee": "twice", "live": ["r", "a"]
// REPORT: "function": "main", "index": 6, "kind": "call"
// REPORT-NOT: "index": 7
