/* Globals defined in an included (non-system) header are not registered, so
 * a checkpoint does not carry them: after a restart at poll-point 2, table[]
 * is all zeros (fill() ran before the checkpoint) and total has its initial
 * value, so the program prints 1 instead of 101. (csmith: every program keeps
 * its checksum state in csmith.h's crc32_tab and crc32_context; restarted
 * programs print "checksum = FFFFFFFF".) */
#include <stdio.h>

#include "header-global.h"

static void add(int i) { total += table[i]; }

int main(void) {
  fill();
  for (int i = 0; i < 4; i++) add(i);  /* an automatic poll-point per iteration */
  printf("%u\n", total);
  return 0;
}
