// RUN: %not %snow-precompile -o %t %s 2>&1 | %FileCheck %s
int main(void) {
  // CHECK: bad-pragma.c:[[@LINE+1]]:14: error: unknown SnowMigrate pragma; there are '#pragma snow poll' and '#pragma snow cutoff(<condition>)' [unknown-pragma]
#pragma snow pol
  return 0;
}

static int syntax(int x) {
  // CHECK: bad-pragma.c:[[@LINE+1]]:14: error: expected '#pragma snow cutoff(<condition>)': one parenthesized condition on the function's parameters, and nothing after it [bad-cutoff]
#pragma snow cutoff x < 2
#pragma snow poll
  return x;
}
