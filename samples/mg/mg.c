/* NAS MG: V-cycle multigrid on the periodic 3-D Poisson problem, written for SnowMigrate from
 * the NPB specification (NASA reports RNR-91-002 and NAS-95-020) over the message-passing API
 * of <snow/comm.h>.
 *
 * Usage: snow-sample-mg [class [iterations]]   (defaults: class S, 4 iterations)
 *
 * The grid of class S is 32^3, W 128^3, A 256^3. It is split over a power-of-two number of
 * processes (snow_comm_size()) along the three axes; each process keeps one ghost cell on every
 * side of its block, filled by comm3 from its six (periodic) neighbours. The levels of the
 * V-cycle halve the grid down to 2^3. A level on which some process would hold fewer than
 * MIN_SPLIT_CELLS cells along an axis is not split: every process holds and computes all of it
 * (the finest such level is gathered with one snow_allreduce). Only rank 0 prints; timings go
 * to stderr, so stdout depends only on the class, the iterations and the number of processes.
 *
 * Every value is computed by the same operations in the same order whatever the split, except
 * the sums of the norms, which snow_allreduce combines in rank order: the norm is bit-identical
 * for a given number of processes on every platform (IEEE doubles, no contraction). */

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <snow/comm.h>

enum {
  MAX_LEVELS = 12,     /* 2^12 cells per axis is far beyond any class here */
  MIN_SPLIT_CELLS = 2, /* a level is split only if every process gets this many cells per axis */
  EXTREMES = 10,       /* +1 at the ten largest, -1 at the ten smallest random values */
  MAX_ITERATIONS = 1000
};

/* The published problems (NPB 3): grid 2^log2_size per axis, iterations, reference norm. */
struct problem_class {
  char name;
  int log2_size;
  int iterations;
  double reference_norm;
};

static const struct problem_class classes[] = {
    {'S', 5, 4, 0.5307707005734e-04},
    {'W', 7, 4, 0.6467329375339e-05},
    {'A', 8, 4, 0.2433365309069e-05},
};

/* Operator A (residual) and smoother S for classes S, W and A: centre, face, edge and corner
 * coefficients of the 27-point stencils. a[1] and c[3] are zero and their terms are left out,
 * as in NPB. */
static const double coef_a[4] = {-8.0 / 3.0, 0.0, 1.0 / 6.0, 1.0 / 12.0};
static const double coef_c[4] = {-3.0 / 8.0, 1.0 / 32.0, -1.0 / 64.0, 0.0};

/* One level of the V-cycle as this process holds it. Arrays are m[0] x m[1] x m[2] doubles,
 * x fastest; storage index s along an axis holds local cell s - 1, so 0 and m - 1 are ghosts. */
struct level {
  int n[3];        /* cells held along each axis (the whole level when not distributed) */
  int m[3];        /* n + 2 */
  int offset[3];   /* global index of the first cell held */
  int distributed; /* split over the processes, or held whole by every process */
  double *u;       /* approximate solution (correction on the coarser levels) */
  double *r;       /* residual */
  double *share;   /* an undistributed level fed by a distributed one: this process's part of the
                      restriction, zero elsewhere, before the allreduce that sums the parts */
};

struct mg {
  int log2_size; /* finest level: 2^log2_size cells per axis, also its number */
  int rank, size;
  int procs[3];                       /* process grid */
  int coord[3];                       /* this process's place in it */
  int low[3], high[3];                /* neighbours' ranks along each axis (periodic) */
  struct level level[MAX_LEVELS + 1]; /* 1 .. log2_size */
  double *v;                          /* right-hand side, on the finest level */
  double *face_out[2], *face_in[2];   /* comm3 buffers: low and high side */
  double *line[3];                    /* scratch rows of the stencil operators */
};

/* Position of storage cell (i1, i2, i3) in a level's array. */
static size_t idx(const struct level *l, int i1, int i2, int i3) {
  return i1 + (size_t)l->m[0] * (i2 + (size_t)l->m[1] * i3);
}

static size_t level_cells(const struct level *l) { return (size_t)l->m[0] * l->m[1] * l->m[2]; }

static void *checked_calloc(size_t count, size_t size) {
  void *p = calloc(count, size);
  if (p == NULL) {
    fprintf(stderr, "mg: out of memory (%zu x %zu bytes)\n", count, size);
    exit(3);
  }
  return p;
}

/* ---- Decomposition ------------------------------------------------------------------------ */

static int rank_of(const struct mg *g, const int c[3]) {
  return c[0] + g->procs[0] * (c[1] + g->procs[1] * c[2]);
}

/* Splits size = 2^d processes as evenly as possible, x first: 2 -> 2x1x1, 4 -> 2x2x1,
 * 8 -> 2x2x2, 16 -> 4x2x2. Returns 0 if size is not a power of two. */
static int split_processes(struct mg *g) {
  g->procs[0] = g->procs[1] = g->procs[2] = 1;
  int rest = g->size, axis = 0;
  while (rest > 1) {
    if (rest % 2 != 0)
      return 0;
    g->procs[axis] *= 2;
    rest /= 2;
    axis = (axis + 1) % 3;
  }
  g->coord[0] = g->rank % g->procs[0];
  g->coord[1] = g->rank / g->procs[0] % g->procs[1];
  g->coord[2] = g->rank / (g->procs[0] * g->procs[1]);
  for (int axis2 = 0; axis2 < 3; axis2++) {
    int c[3] = {g->coord[0], g->coord[1], g->coord[2]};
    c[axis2] = (g->coord[axis2] + g->procs[axis2] - 1) % g->procs[axis2];
    g->low[axis2] = rank_of(g, c);
    c[axis2] = (g->coord[axis2] + 1) % g->procs[axis2];
    g->high[axis2] = rank_of(g, c);
  }
  return 1;
}

/* Sizes every level and allocates its arrays. Returns 0 if the finest level cannot be split
 * over the processes. */
static int setup_levels(struct mg *g) {
  for (int k = g->log2_size; k >= 1; k--) {
    struct level *l = &g->level[k];
    int cells = 1 << k;
    l->distributed = 1;
    for (int axis = 0; axis < 3; axis++)
      if (cells / g->procs[axis] < MIN_SPLIT_CELLS)
        l->distributed = 0;
    if (k == g->log2_size && !l->distributed)
      return 0;
    for (int axis = 0; axis < 3; axis++) {
      l->n[axis] = l->distributed ? cells / g->procs[axis] : cells;
      l->offset[axis] = l->distributed ? g->coord[axis] * l->n[axis] : 0;
      l->m[axis] = l->n[axis] + 2;
    }
    l->u = checked_calloc(level_cells(l), sizeof *l->u);
    l->r = checked_calloc(level_cells(l), sizeof *l->r);
    l->share = NULL;
    if (!l->distributed && g->level[k + 1].distributed)
      l->share = checked_calloc(level_cells(l), sizeof *l->share);
  }
  const struct level *top = &g->level[g->log2_size];
  g->v = checked_calloc(level_cells(top), sizeof *g->v);
  /* An undistributed level may be wider than the finest level's block. */
  int face = 0, line = 0;
  for (int k = 1; k <= g->log2_size; k++) {
    const int *m = g->level[k].m;
    int widest = m[0] > m[1] ? m[0] : m[1];
    widest = widest > m[2] ? widest : m[2];
    face = widest * widest > face ? widest * widest : face;
    line = widest > line ? widest : line;
  }
  for (int side = 0; side < 2; side++) {
    g->face_out[side] = checked_calloc((size_t)face, sizeof *g->face_out[side]);
    g->face_in[side] = checked_calloc((size_t)face, sizeof *g->face_in[side]);
  }
  for (int i = 0; i < 3; i++)
    g->line[i] = checked_calloc((size_t)line, sizeof *g->line[i]);
  return 1;
}

static void free_levels(struct mg *g) {
  for (int k = 1; k <= g->log2_size; k++) {
    free(g->level[k].u);
    free(g->level[k].r);
    free(g->level[k].share);
  }
  free(g->v);
  for (int side = 0; side < 2; side++) {
    free(g->face_out[side]);
    free(g->face_in[side]);
  }
  for (int i = 0; i < 3; i++)
    free(g->line[i]);
}

/* ---- comm3: the ghost layer ----------------------------------------------------------------- */

/* A plane across `axis` at storage index s, walked over the two other axes. The plane of an
 * axis covers the ghosts of the axes before it, so that after x, y and z in turn the edges and
 * corners hold their periodic neighbours' values too (as NPB's comm3). */
struct plane {
  size_t base;      /* position of its first cell */
  size_t stride[2]; /* steps along the other two axes */
  int count[2];     /* cells along them */
};

static struct plane plane_of(const struct level *l, int axis, int s) {
  const size_t stride[3] = {1, (size_t)l->m[0], (size_t)l->m[0] * l->m[1]};
  struct plane p = {.base = s * stride[axis]};
  for (int t = 0, b = 0; b < 3; b++) {
    if (b == axis)
      continue;
    int first = b < axis ? 0 : 1;
    p.base += first * stride[b];
    p.stride[t] = stride[b];
    p.count[t] = b < axis ? l->m[b] : l->n[b];
    t++;
  }
  return p;
}

static int plane_size(struct plane p) { return p.count[0] * p.count[1]; }

static void pack_plane(const double *a, struct plane p, double *buf) {
  int n = 0;
  for (int k = 0; k < p.count[1]; k++)
    for (int j = 0; j < p.count[0]; j++)
      buf[n++] = a[p.base + j * p.stride[0] + k * p.stride[1]];
}

static void unpack_plane(double *a, struct plane p, const double *buf) {
  int n = 0;
  for (int k = 0; k < p.count[1]; k++)
    for (int j = 0; j < p.count[0]; j++)
      a[p.base + j * p.stride[0] + k * p.stride[1]] = buf[n++];
}

static void copy_plane(double *a, struct plane to, struct plane from) {
  for (int k = 0; k < to.count[1]; k++)
    for (int j = 0; j < to.count[0]; j++)
      a[to.base + j * to.stride[0] + k * to.stride[1]] =
          a[from.base + j * from.stride[0] + k * from.stride[1]];
}

enum { TAG_TO_LOW = 0, TAG_TO_HIGH = 1 }; /* + 2 * axis */

/* Fills a's ghost layer on level l: from the neighbours where the level is split along an axis,
 * from this process's own opposite face where it is not. */
static void comm3(struct mg *g, const struct level *l, double *a) {
  for (int axis = 0; axis < 3; axis++) {
    int n = l->n[axis];
    struct plane low_ghost = plane_of(l, axis, 0), low_face = plane_of(l, axis, 1);
    struct plane high_face = plane_of(l, axis, n), high_ghost = plane_of(l, axis, n + 1);
    if (!l->distributed || g->procs[axis] == 1) {
      copy_plane(a, low_ghost, high_face);
      copy_plane(a, high_ghost, low_face);
      continue;
    }
    /* With two processes along the axis both neighbours are one process: the tag tells which
     * side a face is for. */
    int count = plane_size(low_face);
    snow_request requests[2];
    snow_irecv(g->face_in[0], count, SNOW_DOUBLE, g->low[axis], TAG_TO_HIGH + 2 * axis,
               &requests[0]);
    snow_irecv(g->face_in[1], count, SNOW_DOUBLE, g->high[axis], TAG_TO_LOW + 2 * axis,
               &requests[1]);
    pack_plane(a, low_face, g->face_out[0]);
    snow_send(g->face_out[0], count, SNOW_DOUBLE, g->low[axis], TAG_TO_LOW + 2 * axis);
    pack_plane(a, high_face, g->face_out[1]);
    snow_send(g->face_out[1], count, SNOW_DOUBLE, g->high[axis], TAG_TO_HIGH + 2 * axis);
    snow_waitall(2, requests, NULL);
    unpack_plane(a, low_ghost, g->face_in[0]);
    unpack_plane(a, high_ghost, g->face_in[1]);
  }
}

/* ---- The operators --------------------------------------------------------------------------- */

/* r = v - A u on level l (r may be v), then its ghosts. */
static void resid(struct mg *g, const struct level *l, double *u, const double *v, double *r) {
  double *u1 = g->line[0], *u2 = g->line[1];
  const double *a = coef_a;
  const size_t m1 = (size_t)l->m[0], plane = m1 * l->m[1];
  for (int i3 = 1; i3 < l->m[2] - 1; i3++)
    for (int i2 = 1; i2 < l->m[1] - 1; i2++) {
      size_t row = idx(l, 0, i2, i3);
      const double *uc = u + row;
      for (int i1 = 0; i1 < l->m[0]; i1++) {
        u1[i1] = uc[i1 - m1] + uc[i1 + m1] + uc[i1 - plane] + uc[i1 + plane];
        u2[i1] =
            uc[i1 - m1 - plane] + uc[i1 + m1 - plane] + uc[i1 - m1 + plane] + uc[i1 + m1 + plane];
      }
      for (int i1 = 1; i1 < l->m[0] - 1; i1++)
        r[row + i1] = v[row + i1] - a[0] * uc[i1] - a[2] * (u2[i1] + u1[i1 - 1] + u1[i1 + 1]) -
                      a[3] * (u2[i1 - 1] + u2[i1 + 1]);
    }
  comm3(g, l, r);
}

/* u += S r on level l: the smoother, then u's ghosts. */
static void psinv(struct mg *g, const struct level *l, const double *r, double *u) {
  double *r1 = g->line[0], *r2 = g->line[1];
  const double *c = coef_c;
  const size_t m1 = (size_t)l->m[0], plane = m1 * l->m[1];
  for (int i3 = 1; i3 < l->m[2] - 1; i3++)
    for (int i2 = 1; i2 < l->m[1] - 1; i2++) {
      size_t row = idx(l, 0, i2, i3);
      const double *rc = r + row;
      for (int i1 = 0; i1 < l->m[0]; i1++) {
        r1[i1] = rc[i1 - m1] + rc[i1 + m1] + rc[i1 - plane] + rc[i1 + plane];
        r2[i1] =
            rc[i1 - m1 - plane] + rc[i1 + m1 - plane] + rc[i1 - m1 + plane] + rc[i1 + m1 + plane];
      }
      for (int i1 = 1; i1 < l->m[0] - 1; i1++)
        u[row + i1] = u[row + i1] + c[0] * rc[i1] + c[1] * (rc[i1 - 1] + rc[i1 + 1] + r1[i1]) +
                      c[2] * (r2[i1] + r1[i1 - 1] + r1[i1 + 1]);
    }
  comm3(g, l, u);
}

/* The coarse level's storage index of this process's first coarse cell, minus one: 0 when the
 * coarse level is split like the fine one, the fine block's offset / 2 when every process holds
 * the whole coarse level. */
static void coarse_shift(const struct level *fine, const struct level *coarse, int shift[3]) {
  for (int axis = 0; axis < 3; axis++)
    shift[axis] = fine->offset[axis] / 2 - coarse->offset[axis];
}

/* Restriction P: coarse cell c holds the weighted 27-point average of r around fine cell 2c+1
 * (storage 2c+2). Writes this process's coarse cells into s, which is laid out like `coarse`. */
static void rprj3(struct mg *g, const struct level *fine, const double *r,
                  const struct level *coarse, double *s) {
  double *x1 = g->line[0], *y1 = g->line[1];
  int shift[3];
  coarse_shift(fine, coarse, shift);
  const size_t m1 = (size_t)fine->m[0], plane = m1 * fine->m[1];
  int nc1 = fine->n[0] / 2, nc2 = fine->n[1] / 2, nc3 = fine->n[2] / 2;
  for (int c3 = 0; c3 < nc3; c3++)
    for (int c2 = 0; c2 < nc2; c2++) {
      const double *rc = r + idx(fine, 0, 2 * c2 + 2, 2 * c3 + 2);
      for (int c1 = 0; c1 <= nc1; c1++) {
        int i = 2 * c1 + 1;
        x1[i] = rc[i - m1] + rc[i + m1] + rc[i - plane] + rc[i + plane];
        y1[i] = rc[i - m1 - plane] + rc[i - m1 + plane] + rc[i + m1 - plane] + rc[i + m1 + plane];
      }
      double *out = s + idx(coarse, 1 + shift[0], c2 + 1 + shift[1], c3 + 1 + shift[2]);
      for (int c1 = 0; c1 < nc1; c1++) {
        int i = 2 * c1 + 2;
        double y2 =
            rc[i - m1 - plane] + rc[i - m1 + plane] + rc[i + m1 - plane] + rc[i + m1 + plane];
        double x2 = rc[i - m1] + rc[i + m1] + rc[i - plane] + rc[i + plane];
        out[c1] = 0.5 * rc[i] + 0.25 * (rc[i - 1] + rc[i + 1] + x2) +
                  0.125 * (x1[i - 1] + x1[i + 1] + y2) + 0.0625 * (y1[i - 1] + y1[i + 1]);
      }
    }
}

/* Restricts level k's residual to level k - 1 and fills its ghosts. The first undistributed
 * level is summed from every process's part. */
static void restrict_residual(struct mg *g, int k) {
  struct level *fine = &g->level[k], *coarse = &g->level[k - 1];
  if (coarse->share == NULL) {
    rprj3(g, fine, fine->r, coarse, coarse->r);
  } else {
    rprj3(g, fine, fine->r, coarse, coarse->share);
    /* Other processes' cells and the ghosts stay 0 in share: the sum is exact. */
    snow_allreduce(coarse->share, coarse->r, (int)level_cells(coarse), SNOW_DOUBLE, SNOW_SUM);
  }
  comm3(g, coarse, coarse->r);
}

/* Prolongation Q: u (fine) += trilinear interpolation of z (coarse). Fine storage 2c and 2c+1
 * lie on and just after coarse storage c. It writes the fine ghosts too, from the coarse
 * ghosts, with the operations a neighbour uses for the same cells, so no exchange follows. */
static void interp(struct mg *g, const struct level *coarse, const double *z,
                   const struct level *fine, double *u) {
  double *z1 = g->line[0], *z2 = g->line[1], *z3 = g->line[2];
  int shift[3];
  coarse_shift(fine, coarse, shift);
  const size_t zm1 = (size_t)coarse->m[0], zplane = zm1 * coarse->m[1];
  const size_t m1 = (size_t)fine->m[0], plane = m1 * fine->m[1];
  int mm1 = fine->n[0] / 2 + 2, mm2 = fine->n[1] / 2 + 2, mm3 = fine->n[2] / 2 + 2;
  for (int i3 = 0; i3 < mm3 - 1; i3++)
    for (int i2 = 0; i2 < mm2 - 1; i2++) {
      const double *zc = z + idx(coarse, shift[0], i2 + shift[1], i3 + shift[2]);
      for (int i1 = 0; i1 < mm1; i1++) {
        z1[i1] = zc[i1 + zm1] + zc[i1];
        z2[i1] = zc[i1 + zplane] + zc[i1];
        z3[i1] = zc[i1 + zm1 + zplane] + zc[i1 + zplane] + z1[i1];
      }
      double *u00 = u + idx(fine, 0, 2 * i2, 2 * i3);
      double *u10 = u00 + m1, *u01 = u00 + plane, *u11 = u00 + m1 + plane;
      for (int i1 = 0; i1 < mm1 - 1; i1++) {
        u00[2 * i1] += zc[i1];
        u00[2 * i1 + 1] += 0.5 * (zc[i1 + 1] + zc[i1]);
      }
      for (int i1 = 0; i1 < mm1 - 1; i1++) {
        u10[2 * i1] += 0.5 * z1[i1];
        u10[2 * i1 + 1] += 0.25 * (z1[i1] + z1[i1 + 1]);
      }
      for (int i1 = 0; i1 < mm1 - 1; i1++) {
        u01[2 * i1] += 0.5 * z2[i1];
        u01[2 * i1 + 1] += 0.25 * (z2[i1] + z2[i1 + 1]);
      }
      for (int i1 = 0; i1 < mm1 - 1; i1++) {
        u11[2 * i1] += 0.25 * z3[i1];
        u11[2 * i1 + 1] += 0.125 * (z3[i1] + z3[i1 + 1]);
      }
    }
}

static void zero(double *a, size_t count) {
  for (size_t i = 0; i < count; i++)
    a[i] = 0.0;
}

/* One V-cycle: restrict the residual down to level 1, smooth there, then interpolate the
 * correction up, smoothing the residual equation on each level, and correct u on the finest. */
static void v_cycle(struct mg *g) {
  int top = g->log2_size;
  for (int k = top; k > 1; k--)
    restrict_residual(g, k);
  struct level *l = &g->level[1];
  zero(l->u, level_cells(l));
  psinv(g, l, l->r, l->u);
  for (int k = 2; k < top; k++) {
    l = &g->level[k];
    zero(l->u, level_cells(l));
    interp(g, &g->level[k - 1], g->level[k - 1].u, l, l->u);
    resid(g, l, l->u, l->r, l->r);
    psinv(g, l, l->r, l->u);
  }
  l = &g->level[top];
  interp(g, &g->level[top - 1], g->level[top - 1].u, l, l->u);
  resid(g, l, l->u, g->v, l->r);
  psinv(g, l, l->r, l->u);
}

/* sqrt(sum r^2 / cells) over the whole finest level. */
static double norm2u3(struct mg *g, const double *r) {
  const struct level *l = &g->level[g->log2_size];
  double sum = 0.0, total = 0.0;
  for (int i3 = 1; i3 < l->m[2] - 1; i3++)
    for (int i2 = 1; i2 < l->m[1] - 1; i2++)
      for (int i1 = 1; i1 < l->m[0] - 1; i1++) {
        double x = r[idx(l, i1, i2, i3)];
        sum += x * x;
      }
  snow_allreduce(&sum, &total, 1, SNOW_DOUBLE, SNOW_SUM);
  double cells = (double)(1 << g->log2_size);
  return sqrt(total / (cells * cells * cells));
}

/* ---- The right-hand side: zran3 ------------------------------------------------------------ */

/* NPB's randlc generator x' = 5^13 x mod 2^46, in exact 64-bit integer arithmetic. */
enum { RANDOM_BITS = 46 };
#define RANDOM_MASK ((UINT64_C(1) << RANDOM_BITS) - 1)
#define RANDOM_MULTIPLIER UINT64_C(1220703125)
#define RANDOM_SEED UINT64_C(314159265)

/* a * b mod 2^46 for a, b < 2^46: 23-bit halves keep every product below 2^64. */
static uint64_t mul46(uint64_t a, uint64_t b) {
  const uint64_t half = (UINT64_C(1) << 23) - 1;
  uint64_t a_lo = a & half, a_hi = a >> 23, b_lo = b & half, b_hi = b >> 23;
  uint64_t cross = (a_hi * b_lo + a_lo * b_hi) & half;
  return ((cross << 23) + a_lo * b_lo) & RANDOM_MASK;
}

static uint64_t pow46(uint64_t a, uint64_t e) {
  uint64_t result = 1;
  while (e > 0) {
    if (e & 1)
      result = mul46(result, a);
    a = mul46(a, a);
    e >>= 1;
  }
  return result;
}

/* A candidate extreme: a random value and the global index (x fastest) of its cell. */
struct extreme {
  double value;
  double index;
};

/* Does a rank before b? Larger values first (smaller for the minima), then lower indices, so
 * the choice is the same however the grid is split. */
static int ranks_before(struct extreme a, struct extreme b, int largest) {
  if (a.value != b.value)
    return largest ? a.value > b.value : a.value < b.value;
  return a.index < b.index;
}

/* Inserts e into best[0..count) kept in rank order, at most EXTREMES long. */
static void offer(struct extreme *best, int *count, struct extreme e, int largest) {
  int pos = *count < EXTREMES ? *count : EXTREMES;
  if (pos == EXTREMES && !ranks_before(e, best[EXTREMES - 1], largest))
    return;
  if (*count < EXTREMES)
    (*count)++;
  if (pos == EXTREMES)
    pos = EXTREMES - 1;
  while (pos > 0 && ranks_before(e, best[pos - 1], largest)) {
    best[pos] = best[pos - 1];
    pos--;
  }
  best[pos] = e;
}

/* v = 0 except +1 at the ten largest and -1 at the ten smallest values of the random field;
 * cell i (global, x fastest) gets the (i+1)-th number after the seed, so the field does not
 * depend on the split. */
static void zran3(struct mg *g) {
  const struct level *l = &g->level[g->log2_size];
  const uint64_t cells = UINT64_C(1) << g->log2_size;
  const double scale = 1.0 / (double)(UINT64_C(1) << RANDOM_BITS);
  struct extreme max_best[EXTREMES], min_best[EXTREMES];
  int max_count = 0, min_count = 0;
  for (int k = 0; k < l->n[2]; k++)
    for (int j = 0; j < l->n[1]; j++) {
      uint64_t first = (uint64_t)l->offset[0] + cells * ((uint64_t)(l->offset[1] + j) +
                                                         cells * (uint64_t)(l->offset[2] + k));
      uint64_t x = mul46(RANDOM_SEED, pow46(RANDOM_MULTIPLIER, first));
      for (int i = 0; i < l->n[0]; i++) {
        x = mul46(x, RANDOM_MULTIPLIER);
        struct extreme e = {(double)x * scale, (double)(first + (uint64_t)i)};
        offer(max_best, &max_count, e, 1);
        offer(min_best, &min_count, e, 0);
      }
    }

  /* Every process's candidates in its own slots, zero in the others': the sum gathers them. */
  int slots = 4 * EXTREMES, total = slots * g->size;
  double *mine = checked_calloc((size_t)total, sizeof *mine);
  double *all = checked_calloc((size_t)total, sizeof *all);
  double *slot = mine + (size_t)slots * g->rank;
  for (int i = 0; i < EXTREMES; i++) {
    slot[4 * i] = i < max_count ? max_best[i].value : 0.0;
    slot[4 * i + 1] = i < max_count ? max_best[i].index : -1.0;
    slot[4 * i + 2] = i < min_count ? min_best[i].value : 0.0;
    slot[4 * i + 3] = i < min_count ? min_best[i].index : -1.0;
  }
  snow_allreduce(mine, all, total, SNOW_DOUBLE, SNOW_SUM);
  max_count = min_count = 0;
  for (int p = 0; p < g->size * EXTREMES; p++) {
    const double *c = all + 4 * (size_t)p;
    if (c[1] >= 0.0)
      offer(max_best, &max_count, (struct extreme){c[0], c[1]}, 1);
    if (c[3] >= 0.0)
      offer(min_best, &min_count, (struct extreme){c[2], c[3]}, 0);
  }
  free(mine);
  free(all);

  zero(g->v, level_cells(l));
  for (int sign = 0; sign < 2; sign++) {
    const struct extreme *best = sign == 0 ? min_best : max_best;
    int count = sign == 0 ? min_count : max_count;
    for (int i = 0; i < count; i++) {
      uint64_t index = (uint64_t)best[i].index;
      int c[3] = {(int)(index % cells), (int)(index / cells % cells), (int)(index / cells / cells)};
      int inside = 1;
      for (int axis = 0; axis < 3; axis++)
        if (c[axis] < l->offset[axis] || c[axis] >= l->offset[axis] + l->n[axis])
          inside = 0;
      if (inside)
        g->v[idx(l, c[0] - l->offset[0] + 1, c[1] - l->offset[1] + 1, c[2] - l->offset[2] + 1)] =
            sign == 0 ? -1.0 : 1.0;
    }
  }
  comm3(g, l, g->v);
}

/* ---- The driver --------------------------------------------------------------------------------
 */

static const struct problem_class *find_class(const char *name) {
  if (name[0] != '\0' && name[1] == '\0')
    for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++)
      if (classes[i].name == name[0] || classes[i].name == name[0] - 'a' + 'A')
        return &classes[i];
  return NULL;
}

static void usage(const char *prog) {
  fprintf(stderr, "usage: %s [class [iterations]]   (class S, W or A; default S, 4 iterations)\n",
          prog);
  exit(2);
}

static int parse_iterations(const char *text, const char *prog) {
  char *end;
  long long v = strtoll(text, &end, 10);
  if (*text == '\0' || *end != '\0' || v < 1 || v > MAX_ITERATIONS) {
    fprintf(stderr, "%s: iterations must be an integer in [1, %d], not '%s'\n", prog,
            MAX_ITERATIONS, text);
    usage(prog);
  }
  return (int)v;
}

/* Checks the arguments and the process count, sets up the levels and the right-hand side.
 * Every process reads the same arguments, so all agree on an error and leave. */
static void setup(struct mg *g, int argc, char **argv, struct problem_class *cls, int *iterations) {
  if (argc > 3)
    usage(argv[0]);
  const struct problem_class *found = find_class(argc > 1 ? argv[1] : "S");
  if (found == NULL) {
    fprintf(stderr, "%s: unknown class '%s'\n", argv[0], argv[1]);
    usage(argv[0]);
  }
  *cls = *found;
  *iterations = cls->iterations;
  if (argc > 2)
    *iterations = parse_iterations(argv[2], argv[0]);
  g->log2_size = cls->log2_size;
  g->rank = snow_comm_rank();
  g->size = snow_comm_size();
  /* Calls in statements of their own, not in operands of ||: with automatic poll-points
   * setup_levels is on a migration path, and the precompiler refuses those there. */
  int fits = split_processes(g);
  if (fits)
    fits = setup_levels(g);
  if (!fits) {
    if (g->rank == 0)
      fprintf(stderr,
              "%s: the number of processes must be a power of two that splits the %d^3 "
              "grid into at least %d cells per axis, not %d\n",
              argv[0], 1 << g->log2_size, MIN_SPLIT_CELLS, g->size);
    exit(2);
  }
  zran3(g);
}

static void print_header(const struct mg *g, const struct problem_class *cls, int iterations) {
  int cells = 1 << g->log2_size, redundant = 0;
  for (int k = 1; k <= g->log2_size; k++)
    if (!g->level[k].distributed)
      redundant = k;
  printf("NAS MG (SnowMigrate sample): class %c, %d x %d x %d grid, %d iterations\n", cls->name,
         cells, cells, cells, iterations);
  printf("processes: %d (%d x %d x %d)", g->size, g->procs[0], g->procs[1], g->procs[2]);
  if (redundant == 1)
    printf(", level 1 held whole by every process");
  else if (redundant > 1)
    printf(", levels 1-%d held whole by every process", redundant);
  printf("\n");
}

int main(int argc, char **argv) {
  struct mg g = {0};
  /* A copy, not a pointer into `classes`: in the x86-64 build that table starts where coef_a
   * ends, and the runtime takes such a pointer for one past the end of coef_a, which is
   * somewhere else on another platform. */
  struct problem_class cls;
  int iterations = 0;
  setup(&g, argc, argv, &cls, &iterations);
  struct level *top = &g.level[g.log2_size];
  if (g.rank == 0)
    print_header(&g, &cls, iterations);

  double start = snow_wtime();
  resid(&g, top, top->u, g.v, top->r);
  double norm = norm2u3(&g, top->r);
  if (g.rank == 0)
    printf("initial residual norm %.13e\n", norm);
  for (int it = 1; it <= iterations; it++) {
#pragma snow poll
    v_cycle(&g);
    resid(&g, top, top->u, g.v, top->r);
    norm = norm2u3(&g, top->r);
    if (g.rank == 0) {
      printf("iteration %2d: residual norm %.13e\n", it, norm);
      fflush(stdout); /* whoever watches the run (a test migrating after iteration 2) sees it now */
    }
  }
  double seconds = snow_wtime() - start;

  int verified = 0;
  if (g.rank == 0) {
    printf("L2 Norm = %.13e\n", norm);
    if (iterations == cls.iterations) {
      double error = fabs(norm - cls.reference_norm) / cls.reference_norm;
      verified = error <= 1.0e-8;
      printf("reference %.13e, relative error %.3e\n", cls.reference_norm, error);
    } else {
      printf("no published norm for class %c with %d iterations\n", cls.name, iterations);
    }
    printf("%s\n", verified ? "VERIFICATION SUCCESSFUL" : "VERIFICATION FAILED");
    fprintf(stderr, "mg: class %c, %d process%s, %d iterations: %.3f s\n", cls.name, g.size,
            g.size == 1 ? "" : "es", iterations, seconds);
  }
  /* Every process leaves with rank 0's verdict. */
  snow_bcast(&verified, 1, SNOW_INT, 0);
  free_levels(&g);
  return verified ? 0 : 1;
}
