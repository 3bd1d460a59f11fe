// Flags come from the build's compile_commands.json (-p): the definition and
// the -std there reach the parser.
// RUN: rm -rf %t && mkdir -p %t
// RUN: echo '[{"directory": "%S", "command": "cc -std=c99 -DLIMIT=7 -c %s -o x.o", "file": "%s"}]' > %t/compile_commands.json
// RUN: %snow-precompile -p %t -o %t/out %s
// RUN: grep -v -e CHECK %t/out/compilation-database.snow.c | %FileCheck %s
// RUN: %not %snow-precompile -p %t/missing -o %t/out %s 2>&1 | %FileCheck %s --check-prefix=MISSING
// MISSING: error: cannot read the compilation database in '{{.*}}missing'{{.*}}[compilation-database]
#include <stdio.h>

int main(void) {
  // CHECK: for (int i = 0; i < LIMIT; i++) {
  for (int i = 0; i < LIMIT; i++) {
#pragma snow poll
    printf("%d\n", i);
  }
  return 0;
}
