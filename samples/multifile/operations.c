/* The step operations and their dispatch table. Everything is +, -, *, / and sqrt, which IEEE
 * arithmetic rounds the same way on every platform (no libm transcendental functions). */
#include "particles.h"

#include <math.h>
#include <stddef.h>

static void drift(struct particles *p, double dt) {
  for (int i = 0; i < p->n; i++) {
    p->x[i] += p->vx[i] * dt;
    p->y[i] += p->vy[i] * dt;
  }
}

static void gravity(struct particles *p, double dt) {
  for (int i = 0; i < p->n; i++)
    p->vy[i] -= 0.5 * dt;
}

/* Reflect at the walls, keeping every particle inside the box. */
static void bounce(struct particles *p, double dt) {
  (void)dt;
  for (int i = 0; i < p->n; i++) {
    if (p->x[i] < 0.0) {
      p->x[i] = -p->x[i];
      p->vx[i] = -p->vx[i];
    } else if (p->x[i] >= BOX_SIZE) {
      p->x[i] = 2.0 * BOX_SIZE - p->x[i];
      p->vx[i] = -p->vx[i];
    }
    if (p->y[i] < 0.0) {
      p->y[i] = -p->y[i];
      p->vy[i] = -p->vy[i];
    } else if (p->y[i] >= BOX_SIZE) {
      p->y[i] = 2.0 * BOX_SIZE - p->y[i];
      p->vy[i] = -p->vy[i];
    }
  }
}

static void damp(struct particles *p, double dt) {
  double keep = 1.0 - 0.01 * dt;
  for (int i = 0; i < p->n; i++) {
    p->vx[i] *= keep;
    p->vy[i] *= keep;
  }
}

/* Turn every velocity by the angle whose cosine is 3/5 (a Pythagorean rotation: no cos()). */
static void swirl(struct particles *p, double dt) {
  (void)dt;
  for (int i = 0; i < p->n; i++) {
    double vx = p->vx[i], vy = p->vy[i];
    p->vx[i] = 0.6 * vx - 0.8 * vy;
    p->vy[i] = 0.8 * vx + 0.6 * vy;
  }
}

/* Pull toward the middle of the box, stronger far away. */
static void attract(struct particles *p, double dt) {
  const double center = 0.5 * BOX_SIZE;
  for (int i = 0; i < p->n; i++) {
    double dx = center - p->x[i], dy = center - p->y[i];
    double r = sqrt(dx * dx + dy * dy);
    if (r > 0.0) {
      p->vx[i] += 0.01 * dt * dx / r;
      p->vy[i] += 0.01 * dt * dy / r;
    }
  }
}

static void repel(struct particles *p, double dt) { collide(p, 2.0, dt); }

const struct operation operation_table[] = {
    {'d', "drift", drift}, {'g', "gravity", gravity}, {'b', "bounce", bounce}, {'m', "damp", damp},
    {'s', "swirl", swirl}, {'a', "attract", attract}, {'r', "repel", repel},   {0, NULL, NULL},
};

const struct operation *find_operation(char letter) {
  for (const struct operation *op = operation_table; op->apply != NULL; op++)
    if (op->letter == letter)
      return op;
  return NULL;
}
