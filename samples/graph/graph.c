/* A directed graph of heap nodes that changes shape between rounds of computation.
 *
 * Usage: snow-sample-graph [vertices [rounds]]   (defaults: vertices = 20000, rounds = 30)
 *
 * Every vertex and every edge is its own malloc'd block. The graph has cycles (a ring through
 * all vertices to start with), self-loops, vertices shared by many adjacency lists (hubs that
 * most vertices point to), a BFS tree of parent pointers (the root is its own parent), an
 * intrusive BFS queue threaded through the vertices, and a binary heap of vertex pointers for
 * Dijkstra's algorithm. Each round computes BFS depths, weighted shortest paths and a few
 * PageRank iterations, prints their checksums, then removes and adds edges. */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { DEFAULT_VERTICES = 20000, DEFAULT_ROUNDS = 30, MAX_VERTICES = 1000000, MAX_ROUNDS = 100000 };
enum { HUBS = 4, PAGERANK_ITERATIONS = 8, MAX_WEIGHT = 100 };

#define DAMPING 0.85

struct vertex;

struct edge {
  struct vertex *to;
  struct edge *next;
  int weight;
};

struct vertex {
  int id;
  int out_degree;
  struct edge *out;          /* adjacency list, most recently added edge first */
  struct vertex *parent;     /* BFS tree; NULL when unreached, the root points to itself */
  struct vertex *queue_next; /* BFS queue link */
  int depth;
  long long distance; /* weighted shortest distance from the root; -1 when unreached */
  int heap_index;     /* position in the Dijkstra heap, -1 when not in it */
  double rank;
  double incoming; /* PageRank accumulator */
};

struct graph {
  int vertex_count;
  long long edge_count;
  struct vertex **vertices; /* indexed by id */
  struct vertex **heap;     /* Dijkstra's priority queue, a binary heap on distance */
  int heap_size;
};

/* The generator's state lives in a global. */
static uint64_t lcg_state = 88172645463325252ULL;

/* A uniform integer in [0, bound), bound >= 1. */
static int lcg_below(int bound) {
  lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
  return (int)((lcg_state >> 33) % (uint64_t)bound);
}

static int random_weight(void) { return 1 + lcg_below(MAX_WEIGHT); }

static void *checked_malloc(size_t size) {
  void *p = malloc(size);
  if (p == NULL) {
    fprintf(stderr, "graph: out of memory (%zu bytes)\n", size);
    exit(3);
  }
  return p;
}

static void add_edge(struct graph *g, struct vertex *from, struct vertex *to, int weight) {
  struct edge *e = checked_malloc(sizeof *e);
  e->to = to;
  e->weight = weight;
  e->next = from->out;
  from->out = e;
  from->out_degree++;
  g->edge_count++;
}

/* Removes the `index`-th edge of from's adjacency list. */
static void remove_edge(struct graph *g, struct vertex *from, int index) {
  struct edge **link = &from->out;
  while (index-- > 0)
    link = &(*link)->next;
  struct edge *dead = *link;
  *link = dead->next;
  free(dead);
  from->out_degree--;
  g->edge_count--;
}

static struct vertex *random_target(struct graph *g) {
  /* A quarter of all edges lead to one of the first few vertices, which makes them hubs. */
  if (lcg_below(4) == 0)
    return g->vertices[lcg_below(HUBS < g->vertex_count ? HUBS : g->vertex_count)];
  return g->vertices[lcg_below(g->vertex_count)];
}

static struct graph *build_graph(int n) {
  struct graph *g = checked_malloc(sizeof *g);
  g->vertex_count = n;
  g->edge_count = 0;
  g->vertices = checked_malloc((size_t)n * sizeof *g->vertices);
  /* Zeroed: a checkpoint collects every slot of the block, also those past heap_size, and a
   * pointer there must be null or valid (recycled memory made checkpoints fail; the asan
   * preset's malloc fill showed it). */
  g->heap = checked_malloc((size_t)n * sizeof *g->heap);
  memset(g->heap, 0, (size_t)n * sizeof *g->heap);
  g->heap_size = 0;
  for (int i = 0; i < n; i++) {
    struct vertex *v = checked_malloc(sizeof *v);
    *v = (struct vertex){.id = i, .heap_index = -1, .rank = 1.0 / n};
    g->vertices[i] = v;
  }
  for (int i = 0; i < n; i++) {
    struct vertex *v = g->vertices[i];
    add_edge(g, v, g->vertices[(i + 1) % n], random_weight());
    if (i % 17 == 0)
      add_edge(g, v, v, random_weight());
    int extra = lcg_below(5);
    for (int k = 0; k < extra; k++) {
      /* Two draws, so two statements: the order of evaluation of function arguments is
       * unspecified, and GCC's differs between x86 and the other platforms. */
      struct vertex *target = random_target(g);
      add_edge(g, v, target, random_weight());
    }
  }
  return g;
}

static void free_graph(struct graph *g) {
  for (int i = 0; i < g->vertex_count; i++) {
    struct vertex *v = g->vertices[i];
    while (v->out != NULL)
      remove_edge(g, v, 0);
    free(v);
  }
  free(g->heap);
  free(g->vertices);
  free(g);
}

/* Breadth-first search from `root`: parent pointers and depths. Returns the reached count. */
static int breadth_first(struct graph *g, struct vertex *root) {
  for (int i = 0; i < g->vertex_count; i++) {
    g->vertices[i]->parent = NULL;
    g->vertices[i]->queue_next = NULL;
    g->vertices[i]->depth = -1;
  }
  root->parent = root;
  root->depth = 0;
  struct vertex *head = root, *tail = root;
  int reached = 1;
  for (; head != NULL; head = head->queue_next) {
    for (struct edge *e = head->out; e != NULL; e = e->next) {
      struct vertex *w = e->to;
      if (w->parent != NULL)
        continue;
      w->parent = head;
      w->depth = head->depth + 1;
      tail->queue_next = w;
      tail = w;
      reached++;
    }
  }
  return reached;
}

/* Sum of the ids along each reached vertex's parent chain up to the root: walks the tree. */
static long long tree_checksum(const struct graph *g) {
  long long sum = 0;
  for (int i = 0; i < g->vertex_count; i++) {
    const struct vertex *v = g->vertices[i];
    if (v->parent == NULL)
      continue;
    for (; v->parent != v; v = v->parent)
      sum += v->parent->id;
  }
  return sum;
}

/* Ties on distance are broken by id, so the heap order (and the output) is fully determined. */
static int heap_less(const struct vertex *a, const struct vertex *b) {
  return a->distance < b->distance || (a->distance == b->distance && a->id < b->id);
}

static void heap_place(struct graph *g, int index, struct vertex *v) {
  g->heap[index] = v;
  v->heap_index = index;
}

static void heap_sift_up(struct graph *g, int index) {
  struct vertex *v = g->heap[index];
  while (index > 0 && heap_less(v, g->heap[(index - 1) / 2])) {
    heap_place(g, index, g->heap[(index - 1) / 2]);
    index = (index - 1) / 2;
  }
  heap_place(g, index, v);
}

static struct vertex *heap_pop(struct graph *g) {
  struct vertex *top = g->heap[0];
  top->heap_index = -1;
  struct vertex *last = g->heap[--g->heap_size];
  int index = 0;
  for (;;) {
    int child = 2 * index + 1;
    if (child >= g->heap_size)
      break;
    if (child + 1 < g->heap_size && heap_less(g->heap[child + 1], g->heap[child]))
      child++;
    if (!heap_less(g->heap[child], last))
      break;
    heap_place(g, index, g->heap[child]);
    index = child;
  }
  if (g->heap_size > 0)
    heap_place(g, index, last);
  return top;
}

/* Dijkstra's shortest paths from `root`; returns the sum of the finite distances. */
static long long shortest_paths(struct graph *g, struct vertex *root) {
  for (int i = 0; i < g->vertex_count; i++) {
    g->vertices[i]->distance = -1;
    g->vertices[i]->heap_index = -1;
  }
  g->heap_size = 0;
  root->distance = 0;
  heap_place(g, g->heap_size++, root);
  long long total = 0;
  while (g->heap_size > 0) {
    struct vertex *v = heap_pop(g);
    total += v->distance;
    for (struct edge *e = v->out; e != NULL; e = e->next) {
      struct vertex *w = e->to;
      long long candidate = v->distance + e->weight;
      if (w->distance >= 0 && w->heap_index < 0)
        continue; /* already final */
      if (w->distance < 0) {
        w->distance = candidate;
        heap_place(g, g->heap_size++, w);
        heap_sift_up(g, w->heap_index);
      } else if (candidate < w->distance) {
        w->distance = candidate;
        heap_sift_up(g, w->heap_index);
      }
    }
  }
  return total;
}

/* PageRank iterations; vertices without out-edges spread their rank evenly over all. */
static double pagerank(struct graph *g, int iterations) {
  int n = g->vertex_count;
  for (int it = 0; it < iterations; it++) {
#pragma snow poll
    double dangling = 0.0;
    for (int i = 0; i < n; i++)
      g->vertices[i]->incoming = 0.0;
    for (int i = 0; i < n; i++) {
      struct vertex *v = g->vertices[i];
      if (v->out_degree == 0) {
        dangling += v->rank;
        continue;
      }
      double share = v->rank / v->out_degree;
      for (struct edge *e = v->out; e != NULL; e = e->next)
        e->to->incoming += share;
    }
    double base = (1.0 - DAMPING + DAMPING * dangling) / n;
    for (int i = 0; i < n; i++)
      g->vertices[i]->rank = base + DAMPING * g->vertices[i]->incoming;
  }
  double weighted = 0.0;
  for (int i = 0; i < n; i++)
    weighted += (double)(i % 1000 + 1) * g->vertices[i]->rank;
  return weighted;
}

/* Between rounds: drop some edges, add others (including self-loops and edges to hubs). */
static void mutate(struct graph *g, int changes) {
  for (int c = 0; c < changes; c++) {
    struct vertex *v = g->vertices[lcg_below(g->vertex_count)];
    if (v->out_degree > 0 && lcg_below(2) == 0)
      remove_edge(g, v, lcg_below(v->out_degree));
    struct vertex *target = lcg_below(8) == 0 ? v : random_target(g);
    if (lcg_below(3) != 0)
      add_edge(g, v, target, random_weight());
  }
}

static int parse_int(const char *text, const char *what, int min, int max, const char *prog) {
  char *end;
  long long v = strtoll(text, &end, 10);
  if (*text == '\0' || *end != '\0' || v < min || v > max) {
    fprintf(stderr, "%s: %s must be an integer in [%d, %d], not '%s'\n", prog, what, min, max,
            text);
    fprintf(stderr, "usage: %s [vertices [rounds]]   (defaults: %d vertices, %d rounds)\n", prog,
            DEFAULT_VERTICES, DEFAULT_ROUNDS);
    exit(2);
  }
  return (int)v;
}

int main(int argc, char **argv) {
  if (argc > 3) {
    fprintf(stderr, "usage: %s [vertices [rounds]]\n", argv[0]);
    return 2;
  }
  int n = argc > 1 ? parse_int(argv[1], "vertices", 1, MAX_VERTICES, argv[0]) : DEFAULT_VERTICES;
  int rounds = argc > 2 ? parse_int(argv[2], "rounds", 1, MAX_ROUNDS, argv[0]) : DEFAULT_ROUNDS;

  struct graph *g = build_graph(n);
  printf("graph: %d vertices, %lld edges, %d rounds\n", n, g->edge_count, rounds);
  for (int round = 0; round < rounds; round++) {
#pragma snow poll
    /* The root moves around, so the BFS tree and the distances change shape every round. */
    struct vertex *root = g->vertices[(round * 7919) % n];
    int reached = breadth_first(g, root);
    long long depth_sum = 0;
    int max_depth = 0;
    for (int i = 0; i < n; i++) {
      int depth = g->vertices[i]->depth;
      depth_sum += depth > 0 ? depth : 0;
      max_depth = depth > max_depth ? depth : max_depth;
    }
    long long tree_sum = tree_checksum(g);
    long long distance_sum = shortest_paths(g, root);
    double rank = pagerank(g, PAGERANK_ITERATIONS);
    printf("round %d: root %d edges %lld reached %d depth sum %lld max %d tree %lld "
           "distance %lld rank %.17g\n",
           round, root->id, g->edge_count, reached, depth_sum, max_depth, tree_sum, distance_sum,
           rank);
    mutate(g, n / 10 + 1);
  }
  free_graph(g);
  return 0;
}
