/* Creating, destroying and summarizing particles; the program's random generator. */
#include "particles.h"

#include <stdio.h>
#include <stdlib.h>

static uint64_t random_state;

void random_seed(uint64_t seed) { random_state = seed; }

static uint64_t random_next(void) {
  random_state = random_state * 6364136223846793005ULL + 1442695040888963407ULL;
  return random_state;
}

int random_below(int bound) { return (int)((random_next() >> 33) % (uint64_t)bound); }

/* 53 random bits: the same double on every IEEE platform. */
double random_unit(void) { return (double)(random_next() >> 11) / 9007199254740992.0; }

static double *new_array(int n) {
  double *a = malloc((size_t)n * sizeof *a);
  if (a == NULL) {
    fprintf(stderr, "multifile: out of memory\n");
    exit(3);
  }
  return a;
}

struct particles *particles_create(int n) {
  struct particles *p = malloc(sizeof *p);
  if (p == NULL) {
    fprintf(stderr, "multifile: out of memory\n");
    exit(3);
  }
  p->n = n;
  p->x = new_array(n);
  p->y = new_array(n);
  p->vx = new_array(n);
  p->vy = new_array(n);
  p->mass = new_array(n);
  for (int i = 0; i < n; i++) {
    p->x[i] = BOX_SIZE * random_unit();
    p->y[i] = BOX_SIZE * random_unit();
    p->vx[i] = 2.0 * random_unit() - 1.0;
    p->vy[i] = 2.0 * random_unit() - 1.0;
    p->mass[i] = 1.0 + random_below(4);
  }
  return p;
}

void particles_destroy(struct particles *p) {
  free(p->mass);
  free(p->vy);
  free(p->vx);
  free(p->y);
  free(p->x);
  free(p);
}

struct particle_checksum particles_checksum(const struct particles *p) {
  struct particle_checksum c = {0};
  for (int i = 0; i < p->n; i++) {
    c.x += p->x[i];
    c.y += p->y[i];
    c.vx += p->vx[i];
    c.vy += p->vy[i];
    c.energy += 0.5 * p->mass[i] * (p->vx[i] * p->vx[i] + p->vy[i] * p->vy[i]);
  }
  return c;
}
