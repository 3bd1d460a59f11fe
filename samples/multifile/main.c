/* A particle simulation spread over several files: a schedule of operations, chosen at run time
 * from a dispatch table, advances a struct-of-arrays particle system step by step.
 *
 * Usage: snow-sample-multifile [particles [steps [schedule]]]
 *        (defaults: 2000 particles, 200 steps, schedule "dgrbm")
 * Each schedule letter names an operation of operation_table (operations.c): d drift,
 * g gravity, b bounce, m damp, s swirl, a attract, r repel. Besides the schedule, each step has
 * a one-in-four chance of a random extra operation from the table. */
#include "particles.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { DEFAULT_PARTICLES = 2000, DEFAULT_STEPS = 200, MAX_PARTICLES = 1000000 };
enum { MAX_STEPS = 1000000, MAX_SCHEDULE = 64 };
#define DEFAULT_SCHEDULE "dgrbm"
#define TIME_STEP 0.05

static void usage(const char *prog) {
  fprintf(stderr,
          "usage: %s [particles [steps [schedule]]]   (defaults: %d particles, %d steps, "
          "schedule \"%s\")\n",
          prog, DEFAULT_PARTICLES, DEFAULT_STEPS, DEFAULT_SCHEDULE);
  exit(2);
}

static int parse_int(const char *text, const char *what, int min, int max, const char *prog) {
  char *end;
  long long v = strtoll(text, &end, 10);
  if (*text == '\0' || *end != '\0' || v < min || v > max) {
    fprintf(stderr, "%s: %s must be an integer in [%d, %d], not '%s'\n", prog, what, min, max,
            text);
    usage(prog);
  }
  return (int)v;
}

/* Turns "dgrbm" into a heap array of pointers to table entries (and so to functions). */
static const struct operation **parse_schedule(const char *text, int *length, const char *prog) {
  size_t n = strlen(text);
  if (n == 0 || n > MAX_SCHEDULE) {
    fprintf(stderr, "%s: the schedule needs 1 to %d letters\n", prog, MAX_SCHEDULE);
    usage(prog);
  }
  const struct operation **schedule = malloc(n * sizeof *schedule);
  if (schedule == NULL) {
    fprintf(stderr, "multifile: out of memory\n");
    exit(3);
  }
  for (size_t i = 0; i < n; i++) {
    schedule[i] = find_operation(text[i]);
    if (schedule[i] == NULL) {
      fprintf(stderr, "%s: unknown operation '%c' in the schedule\n", prog, text[i]);
      usage(prog);
    }
  }
  *length = (int)n;
  return schedule;
}

static int operation_count(void) {
  int count = 0;
  while (operation_table[count].apply != NULL)
    count++;
  return count;
}

int main(int argc, char **argv) {
  if (argc > 4)
    usage(argv[0]);
  int n = argc > 1 ? parse_int(argv[1], "particles", 1, MAX_PARTICLES, argv[0]) : DEFAULT_PARTICLES;
  int steps = argc > 2 ? parse_int(argv[2], "steps", 1, MAX_STEPS, argv[0]) : DEFAULT_STEPS;
  int length;
  const struct operation **schedule =
      parse_schedule(argc > 3 ? argv[3] : DEFAULT_SCHEDULE, &length, argv[0]);

  random_seed(20240607);
  struct particles *p = particles_create(n);
  int table_size = operation_count();
  printf("multifile: %d particles, %d steps, schedule:", n, steps);
  for (int i = 0; i < length; i++)
    printf(" %s", schedule[i]->name);
  printf("\n");

  for (int step = 0; step < steps; step++) {
#pragma snow poll
    for (int i = 0; i < length; i++)
      schedule[i]->apply(p, TIME_STEP);
    /* A run-time choice through a function pointer that is not in the schedule. */
    const char *extra = "-";
    if (random_below(4) == 0) {
      operation_fn op = operation_table[random_below(table_size)].apply;
      op(p, TIME_STEP);
      for (int k = 0; k < table_size; k++)
        if (operation_table[k].apply == op)
          extra = operation_table[k].name;
    }
    struct particle_checksum c = particles_checksum(p);
    printf("step %d +%s: x %.17g y %.17g vx %.17g vy %.17g energy %.17g\n", step, extra, c.x, c.y,
           c.vx, c.vy, c.energy);
  }

  collisions_release();
  particles_destroy(p);
  free(schedule);
  return 0;
}
