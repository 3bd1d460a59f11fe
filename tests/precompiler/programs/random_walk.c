/* rand()/srand(): the generator's state must travel with the program, so a
 * restarted run draws exactly the numbers the original would have drawn. */
#include <stdio.h>
#include <stdlib.h>

static long walk(int steps) {
  long position = 0;
  for (int i = 0; i < steps; i++) {
#pragma snow poll
    int r = rand();
    position += (r % 3) - 1;
    if (i % 8 == 7) printf("step %d: %ld (drew %d)\n", i + 1, position, r);
  }
  return position;
}

int main(int argc, char **argv) {
  srand(argc > 1 ? (unsigned)atoi(argv[1]) : 1u);
  long total = 0;
  for (int round = 0; round < 4; round++) {
#pragma snow poll
    total += walk(16);
    printf("round %d: %ld, next %d\n", round, total, rand() % 1000);
  }
  return 0;
}
