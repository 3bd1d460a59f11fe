/* Particles in a box, stored as a struct of arrays, and the operations that advance them.
 * Shared by main.c, particles.c, operations.c and collisions.c. */
#ifndef SNOW_SAMPLE_PARTICLES_H
#define SNOW_SAMPLE_PARTICLES_H

#include <stdint.h>

/* The box is [0, BOX_SIZE) in x and y; walls reflect. */
#define BOX_SIZE 100.0

/* Struct of arrays: particle i is (x[i], y[i]) moving at (vx[i], vy[i]). Each array is its
 * own heap block of n doubles. */
struct particles {
  int n;
  double *x;
  double *y;
  double *vx;
  double *vy;
  double *mass;
};

struct particles *particles_create(int n);
void particles_destroy(struct particles *p);

/* Sums of positions, velocities and kinetic energy, printed with every digit. */
struct particle_checksum {
  double x, y, vx, vy, energy;
};
struct particle_checksum particles_checksum(const struct particles *p);

/* The program's own generator (state in a global in particles.c). */
void random_seed(uint64_t seed);
int random_below(int bound);
double random_unit(void); /* [0, 1) */

/* One step operation: changes p in place over a time step dt. */
typedef void (*operation_fn)(struct particles *p, double dt);

struct operation {
  char letter; /* its name in a schedule string */
  const char *name;
  operation_fn apply;
};

/* All operations, terminated by an entry with a NULL apply. */
extern const struct operation operation_table[];
/* The operation named by `letter`, or NULL. */
const struct operation *find_operation(char letter);

/* Short-range repulsion between particles closer than `radius`, found by sweep and prune over
 * the particles sorted by x (qsort). Returns the number of close pairs. */
int collide(struct particles *p, double radius, double dt);
/* Frees collide's buffers. */
void collisions_release(void);

#endif
