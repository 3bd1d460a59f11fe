#include <stdio.h>

#include "config.h"

long advance(long value);
#ifdef SNOW_TEST_UNSUPPORTED_UNIT
void risky(void);
#endif

int main(void) {
  long total = 0;
  printf("%s %d\n", GREETING, STEP);
  for (int round = 0; round < 6; round++) {
#pragma snow poll
    total = advance(total);
    printf("round %d: %ld\n", round, total);
  }
  return 0;
}
