// RUN: %not %snow-precompile -o %t %s 2>&1 | %FileCheck %s
static int counter;
// CHECK: bad-pragma.c:[[@LINE+1]]:14: error: '#pragma snow poll' belongs inside a function body, before the statement where the poll-point goes [pragma-outside-function]
#pragma snow poll
static int other;
// CHECK: bad-pragma.c:[[@LINE+1]]:14: error: '#pragma snow cutoff' belongs inside a function body, first in the function whose calls it cuts off [pragma-outside-function]
#pragma snow cutoff(other < 2)

int main(void) {
  // CHECK: bad-pragma.c:[[@LINE+1]]:14: error: unknown SnowMigrate pragma; there are '#pragma snow poll' and '#pragma snow cutoff(<condition>)' [unknown-pragma]
#pragma snow pol
  return 0;
}

static int closed(int x) {
  if (x > 1) {
    x--;
  }
  // A pragma after an inner block's brace is inside the function: no error here.
#pragma snow poll
  return x;
} /* a comment */
// CHECK: bad-pragma.c:[[@LINE+1]]:14: error: '#pragma snow poll' belongs inside a function body, before the statement where the poll-point goes [pragma-outside-function]
#pragma snow poll

static int syntax(int x) {
  // CHECK: bad-pragma.c:[[@LINE+1]]:14: error: expected '#pragma snow cutoff(<condition>)': one parenthesized condition on the function's parameters, and nothing after it [bad-cutoff]
#pragma snow cutoff x < 2
#pragma snow poll
  return x;
}
