/*
 * state_graph — a C program's memory state with every kind of object the
 * memory-state engine supports, described the way snow-precompile describes
 * a program: static tables whose sizes and offsets come from this platform's
 * own sizeof/offsetof.
 *
 * It is what the five-platform demo moves around and what the cross-platform
 * matrix test checks: a cyclic doubly-linked list, a binary tree with parent
 * pointers, a struct array with interior and one-past-the-end pointers, a char
 * buffer, function pointers, every integer kind, floats, enums, _Bool, a
 * supported union, a padded struct, a two-dimensional array, shared
 * sub-graphs, NULLs, and a stack variable pointing into the globals.
 */
#ifndef SNOW_STATE_GRAPH_H
#define SNOW_STATE_GRAPH_H

#include <snow/msr.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The stack frame the demo registers as a root (key: frame 0, variable 0). */
struct graph_frame {
  int depth;
  struct dnode *cursor;   /* into the list */
  long *counter;          /* a global */
  double *grid_cell;      /* interior pointer into a 2-D global array */
};

/* Registers the program (snow_program_init). Returns 0 or -1. */
int state_graph_init(void);
/* Builds the graph in the globals and the heap; `seed` varies the values. */
void state_graph_build(struct graph_frame *frame, int seed);
/* Checks every field and pointer; prints each difference to `out` and returns their number. */
int state_graph_verify(const struct graph_frame *frame, int seed, FILE *out);
/* The roots, outermost first: every global, then the frame. */
size_t state_graph_roots(struct graph_frame *frame, void **roots, size_t capacity);
/* Registers `frame` as the stack root (key frame 0, variable 0). */
void state_graph_register_frame(struct graph_frame *frame);
/* Tree size used by the builder (nodes). */
enum { STATE_GRAPH_TREE_NODES = 63, STATE_GRAPH_LIST_NODES = 7 };

#ifdef __cplusplus
}
#endif

#endif
