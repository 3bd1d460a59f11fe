// RUN: %not %snow-precompile -o %t %s 2>&1 | %FileCheck %s
int main(void) {
  // CHECK: bad-pragma.c:[[@LINE+1]]:14: error: unknown SnowMigrate pragma; the only one is '#pragma snow poll' [unknown-pragma]
#pragma snow pol
  return 0;
}
