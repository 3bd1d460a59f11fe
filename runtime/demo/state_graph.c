#include "state_graph.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

enum color { RED = -1, GREEN = 1, BLUE = 2 };

struct scalars {
  signed char sc;
  unsigned char uc;
  short s;
  unsigned short us;
  int i;
  unsigned u;
  long l;
  unsigned long ul;
  long long ll;
  unsigned long long ull;
  _Bool b;
  float f;
  double d;
  enum color e;
  char c;
};

struct dnode {
  int value;
  struct dnode *prev;
  struct dnode *next;
};

struct tnode {
  struct tnode *left;
  struct tnode *right;
  struct tnode *parent;
  double payload;
  int key;
};

struct point {
  double x;
  int tag;
  char name[6];
};

/* The layout table of DESIGN.md §6: 32, 32, 24 and 20 bytes on the four platforms. */
struct padded {
  char c;
  double d;
  long l;
  void *p;
};

union word {
  int i;
  float f;
};

struct operation {
  char *name;
  int (*apply)(int, int);
};

/* Interior pointers of every flavour into the globals and the heap. */
struct cursors {
  struct point *third;        /* &points[3] */
  int *fifth_tag;             /* &points[5].tag */
  char *second_name_4;        /* &points[2].name[4] */
  struct point *points_end;   /* &points[8], one past the end */
  char *text_middle;          /* into the heap char buffer */
  struct tnode *shared;       /* the same node as tree->left->right */
  struct dnode *nothing;      /* NULL */
  char *name_end;             /* &points[1].name[6]: just past a member, into padding */
};

/* ---- the program's memory ------------------------------------------------ */

static struct scalars all_scalars;
static struct dnode *list_head;
static struct tnode *tree;
static struct point points[8];
static char *text;
static struct operation operations[3];
static long counter;
static double grid[3][4];
static struct padded padded;
static union word word;
static struct cursors cursors;

static int add(int a, int b) { return a + b; }
static int mul(int a, int b) { return a * b; }
static int sub(int a, int b) { return a - b; }

/* ---- its description (what snow-precompile emits) ------------------------- */

enum {
  T_SCHAR, T_UCHAR, T_SHORT, T_USHORT, T_INT, T_UINT, T_LONG, T_ULONG, T_LLONG, T_ULLONG,
  T_BOOL, T_FLOAT, T_DOUBLE, T_COLOR, T_CHAR, T_SCALARS,
  T_DNODE, T_DNODE_PTR, T_TNODE, T_TNODE_PTR, T_CHAR6, T_POINT, T_POINT_PTR, T_VOID_PTR,
  T_PADDED, T_WORD, T_CHAR_PTR, T_BINOP, T_OPERATION, T_INT_PTR, T_DOUBLE4, T_DOUBLE34,
  T_CURSORS, T_LONG_PTR, T_DOUBLE_PTR, T_FRAME, T_OPERATION3, T_POINT8,
  T_COUNT
};

#define FIELD(s, f, t) {#f, t, offsetof(struct s, f)}
#define SCALAR(n, k, w, T) {n, k, w, sizeof(T), SNOW_NO_TYPE, 0, NULL, 0}
#define POINTER(n, to) {n, SNOW_KIND_POINTER, 0, sizeof(void *), to, 0, NULL, 0}
#define ARRAY(n, e, c, T) {n, SNOW_KIND_ARRAY, 0, sizeof(T), e, c, NULL, 0}
#define RECORD(n, k, T, f) {n, k, 0, sizeof(T), SNOW_NO_TYPE, 0, f, sizeof(f) / sizeof(f[0])}

static const snow_field_desc scalars_fields[] = {
  FIELD(scalars, sc, T_SCHAR), FIELD(scalars, uc, T_UCHAR), FIELD(scalars, s, T_SHORT),
  FIELD(scalars, us, T_USHORT), FIELD(scalars, i, T_INT), FIELD(scalars, u, T_UINT),
  FIELD(scalars, l, T_LONG), FIELD(scalars, ul, T_ULONG), FIELD(scalars, ll, T_LLONG),
  FIELD(scalars, ull, T_ULLONG), FIELD(scalars, b, T_BOOL), FIELD(scalars, f, T_FLOAT),
  FIELD(scalars, d, T_DOUBLE), FIELD(scalars, e, T_COLOR), FIELD(scalars, c, T_CHAR),
};
static const snow_field_desc dnode_fields[] = {
  FIELD(dnode, value, T_INT), FIELD(dnode, prev, T_DNODE_PTR), FIELD(dnode, next, T_DNODE_PTR),
};
static const snow_field_desc tnode_fields[] = {
  FIELD(tnode, left, T_TNODE_PTR), FIELD(tnode, right, T_TNODE_PTR), FIELD(tnode, parent, T_TNODE_PTR),
  FIELD(tnode, payload, T_DOUBLE), FIELD(tnode, key, T_INT),
};
static const snow_field_desc point_fields[] = {
  FIELD(point, x, T_DOUBLE), FIELD(point, tag, T_INT), FIELD(point, name, T_CHAR6),
};
static const snow_field_desc padded_fields[] = {
  FIELD(padded, c, T_CHAR), FIELD(padded, d, T_DOUBLE), FIELD(padded, l, T_LONG), FIELD(padded, p, T_VOID_PTR),
};
static const snow_field_desc word_fields[] = {
  {"i", T_INT, offsetof(union word, i)}, {"f", T_FLOAT, offsetof(union word, f)},
};
static const snow_field_desc operation_fields[] = {
  FIELD(operation, name, T_CHAR_PTR), FIELD(operation, apply, T_BINOP),
};
static const snow_field_desc cursors_fields[] = {
  FIELD(cursors, third, T_POINT_PTR), FIELD(cursors, fifth_tag, T_INT_PTR),
  FIELD(cursors, second_name_4, T_CHAR_PTR), FIELD(cursors, points_end, T_POINT_PTR),
  FIELD(cursors, text_middle, T_CHAR_PTR), FIELD(cursors, shared, T_TNODE_PTR),
  FIELD(cursors, nothing, T_DNODE_PTR), FIELD(cursors, name_end, T_CHAR_PTR),
};
static const snow_field_desc frame_fields[] = {
  FIELD(graph_frame, depth, T_INT), FIELD(graph_frame, cursor, T_DNODE_PTR),
  FIELD(graph_frame, counter, T_LONG_PTR), FIELD(graph_frame, grid_cell, T_DOUBLE_PTR),
};

static const snow_type_desc types[T_COUNT] = {
  [T_SCHAR] = SCALAR("signed char", SNOW_KIND_SIGNED, 1, signed char),
  [T_UCHAR] = SCALAR("unsigned char", SNOW_KIND_UNSIGNED, 1, unsigned char),
  [T_SHORT] = SCALAR("short", SNOW_KIND_SIGNED, 2, short),
  [T_USHORT] = SCALAR("unsigned short", SNOW_KIND_UNSIGNED, 2, unsigned short),
  [T_INT] = SCALAR("int", SNOW_KIND_SIGNED, 4, int),
  [T_UINT] = SCALAR("unsigned int", SNOW_KIND_UNSIGNED, 4, unsigned),
  [T_LONG] = SCALAR("long", SNOW_KIND_SIGNED, 8, long),
  [T_ULONG] = SCALAR("unsigned long", SNOW_KIND_UNSIGNED, 8, unsigned long),
  [T_LLONG] = SCALAR("long long", SNOW_KIND_SIGNED, 8, long long),
  [T_ULLONG] = SCALAR("unsigned long long", SNOW_KIND_UNSIGNED, 8, unsigned long long),
  [T_BOOL] = SCALAR("_Bool", SNOW_KIND_BOOL, 1, _Bool),
  [T_FLOAT] = SCALAR("float", SNOW_KIND_FLOAT, 4, float),
  [T_DOUBLE] = SCALAR("double", SNOW_KIND_FLOAT, 8, double),
  [T_COLOR] = SCALAR("enum color", SNOW_KIND_SIGNED, 4, enum color),
  [T_CHAR] = SCALAR("char", SNOW_KIND_UNSIGNED, 1, char),
  [T_SCALARS] = RECORD("struct scalars", SNOW_KIND_STRUCT, struct scalars, scalars_fields),
  [T_DNODE] = RECORD("struct dnode", SNOW_KIND_STRUCT, struct dnode, dnode_fields),
  [T_DNODE_PTR] = POINTER("struct dnode *", T_DNODE),
  [T_TNODE] = RECORD("struct tnode", SNOW_KIND_STRUCT, struct tnode, tnode_fields),
  [T_TNODE_PTR] = POINTER("struct tnode *", T_TNODE),
  [T_CHAR6] = ARRAY("char[6]", T_CHAR, 6, char[6]),
  [T_POINT] = RECORD("struct point", SNOW_KIND_STRUCT, struct point, point_fields),
  [T_POINT_PTR] = POINTER("struct point *", T_POINT),
  [T_VOID_PTR] = POINTER("void *", SNOW_NO_TYPE),
  [T_PADDED] = RECORD("struct padded", SNOW_KIND_STRUCT, struct padded, padded_fields),
  [T_WORD] = RECORD("union word", SNOW_KIND_UNION, union word, word_fields),
  [T_CHAR_PTR] = POINTER("char *", T_CHAR),
  [T_BINOP] = {"int (*)(int, int)", SNOW_KIND_FUNCTION, 0, sizeof(int (*)(int, int)), SNOW_NO_TYPE, 0, NULL, 0},
  [T_OPERATION] = RECORD("struct operation", SNOW_KIND_STRUCT, struct operation, operation_fields),
  [T_INT_PTR] = POINTER("int *", T_INT),
  [T_DOUBLE4] = ARRAY("double[4]", T_DOUBLE, 4, double[4]),
  [T_DOUBLE34] = ARRAY("double[3][4]", T_DOUBLE4, 3, double[3][4]),
  [T_CURSORS] = RECORD("struct cursors", SNOW_KIND_STRUCT, struct cursors, cursors_fields),
  [T_LONG_PTR] = POINTER("long *", T_LONG),
  [T_DOUBLE_PTR] = POINTER("double *", T_DOUBLE),
  [T_FRAME] = RECORD("struct graph_frame", SNOW_KIND_STRUCT, struct graph_frame, frame_fields),
  [T_OPERATION3] = ARRAY("struct operation[3]", T_OPERATION, 3, struct operation[3]),
  [T_POINT8] = ARRAY("struct point[8]", T_POINT, 8, struct point[8]),
};

static const snow_function_desc functions[] = {
  {"add", (snow_function_address)add, NULL, 0},
  {"mul", (snow_function_address)mul, NULL, 0},
  {"sub", (snow_function_address)sub, NULL, 0},
};

static const snow_global_desc globals[] = {
  {"all_scalars", &all_scalars, T_SCALARS, 1, 0},
  {"list_head", &list_head, T_DNODE_PTR, 1, 0},
  {"tree", &tree, T_TNODE_PTR, 1, 0},
  {"points", points, T_POINT, 8, 0},
  {"text", &text, T_CHAR_PTR, 1, 0},
  {"operations", operations, T_OPERATION, 3, 0},
  {"counter", &counter, T_LONG, 1, 0},
  {"grid", grid, T_DOUBLE4, 3, 0},
  {"padded", &padded, T_PADDED, 1, 0},
  {"word", &word, T_WORD, 1, 0},
  {"cursors", &cursors, T_CURSORS, 1, 0},
};

static const snow_program_desc program = {
  "state_graph", types, T_COUNT, functions, sizeof functions / sizeof functions[0],
  globals, sizeof globals / sizeof globals[0], NULL, 0,
};

int state_graph_init(void) { return snow_program_init(&program); }

/* ---- building and checking ------------------------------------------------ */

static const char message[] = "state travels between machines";

static struct tnode *build_tree(struct tnode *parent, int lo, int hi, int seed) {
  if (lo > hi) return NULL;
  int mid = (lo + hi) / 2;
  struct tnode *n = snow_malloc(sizeof *n, T_TNODE);
  n->parent = parent;
  n->key = mid;
  n->payload = mid * 0.5 + seed / 3.0;
  n->left = build_tree(n, lo, mid - 1, seed);
  n->right = build_tree(n, mid + 1, hi, seed);
  return n;
}

void state_graph_build(struct graph_frame *frame, int seed) {
  all_scalars = (struct scalars){
      .sc = -100, .uc = 200, .s = -30000, .us = 60000, .i = -2000000000 + seed, .u = 4000000000u,
      .l = -1234567890L, .ul = 3000000000UL, .ll = -9000000000000000000LL, .ull = 18000000000000000000ULL,
      .b = true, .f = 3.25f, .d = -1.0 / 3.0, .e = RED, .c = 'Z'};

  /* A cyclic doubly-linked list of STATE_GRAPH_LIST_NODES, one heap array per node. */
  struct dnode *nodes[STATE_GRAPH_LIST_NODES];
  for (int i = 0; i < STATE_GRAPH_LIST_NODES; ++i) {
    nodes[i] = snow_malloc(sizeof(struct dnode), T_DNODE);
    nodes[i]->value = i * 11 + seed;
  }
  for (int i = 0; i < STATE_GRAPH_LIST_NODES; ++i) {
    nodes[i]->next = nodes[(i + 1) % STATE_GRAPH_LIST_NODES];
    nodes[i]->prev = nodes[(i + STATE_GRAPH_LIST_NODES - 1) % STATE_GRAPH_LIST_NODES];
  }
  list_head = nodes[0];

  tree = build_tree(NULL, 1, STATE_GRAPH_TREE_NODES, seed);

  for (int i = 0; i < 8; ++i) {
    points[i].x = i * 1.5 - seed;
    points[i].tag = i * i;
    snprintf(points[i].name, sizeof points[i].name, "p%d", i);
  }

  text = snow_malloc(sizeof message, T_CHAR);
  memcpy(text, message, sizeof message);

  operations[0] = (struct operation){text, add};
  operations[1] = (struct operation){text + 6, mul};  /* shares the buffer */
  operations[2] = (struct operation){NULL, NULL};

  counter = 2000000000L + seed;  /* fits a 32-bit long */
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 4; ++c) grid[r][c] = r * 10 + c + seed * 0.25;

  padded = (struct padded){'q', 2.5, -77L, &grid[1][2]};
  word.f = -0.75f;

  cursors = (struct cursors){&points[3], &points[5].tag, &points[2].name[4], &points[8], text + 7,
                             tree->left->right, NULL, &points[1].name[6]};

  frame->depth = 3;
  frame->cursor = nodes[4];
  frame->counter = &counter;
  frame->grid_cell = &grid[2][3];
}

#define CHECK(cond)                                                                                \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      fprintf(out, "state_graph: check failed: %s (line %d)\n", #cond, __LINE__);                  \
      ++failures;                                                                                  \
    }                                                                                              \
  } while (0)

static int verify_tree(const struct tnode *n, const struct tnode *parent, int lo, int hi, int seed, FILE *out) {
  int failures = 0;
  if (lo > hi) {
    CHECK(n == NULL);
    return failures;
  }
  int mid = (lo + hi) / 2;
  CHECK(n != NULL);
  if (n == NULL) return failures;
  CHECK(n->parent == parent);
  CHECK(n->key == mid);
  CHECK(n->payload == mid * 0.5 + seed / 3.0);
  failures += verify_tree(n->left, n, lo, mid - 1, seed, out);
  failures += verify_tree(n->right, n, mid + 1, hi, seed, out);
  return failures;
}

int state_graph_verify(const struct graph_frame *frame, int seed, FILE *out) {
  int failures = 0;
  const struct scalars *s = &all_scalars;
  CHECK(s->sc == -100 && s->uc == 200 && s->s == -30000 && s->us == 60000);
  CHECK(s->i == -2000000000 + seed && s->u == 4000000000u);
  CHECK(s->l == -1234567890L && s->ul == 3000000000UL);
  CHECK(s->ll == -9000000000000000000LL && s->ull == 18000000000000000000ULL);
  CHECK(s->b == true && s->f == 3.25f && s->d == -1.0 / 3.0 && s->e == RED && s->c == 'Z');

  /* The list: values, both directions, and the cycle closing after N steps. */
  const struct dnode *n = list_head;
  for (int i = 0; i < STATE_GRAPH_LIST_NODES; ++i) {
    CHECK(n->value == i * 11 + seed);
    CHECK(n->next->prev == n && n->prev->next == n);
    n = n->next;
  }
  CHECK(n == list_head);

  failures += verify_tree(tree, NULL, 1, STATE_GRAPH_TREE_NODES, seed, out);

  for (int i = 0; i < 8; ++i) {
    char name[6];
    snprintf(name, sizeof name, "p%d", i);
    CHECK(points[i].x == i * 1.5 - seed && points[i].tag == i * i && strcmp(points[i].name, name) == 0);
  }
  CHECK(strcmp(text, message) == 0);
  CHECK(operations[0].name == text && operations[0].apply == add && operations[0].apply(6, 7) == 13);
  CHECK(operations[1].name == text + 6 && operations[1].apply == mul && operations[1].apply(6, 7) == 42);
  CHECK(operations[2].name == NULL && operations[2].apply == NULL);
  CHECK(counter == 2000000000L + seed);
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 4; ++c) CHECK(grid[r][c] == r * 10 + c + seed * 0.25);
  CHECK(padded.c == 'q' && padded.d == 2.5 && padded.l == -77L && padded.p == &grid[1][2]);
  CHECK(word.f == -0.75f);

  CHECK(cursors.third == &points[3]);
  CHECK(cursors.fifth_tag == &points[5].tag && *cursors.fifth_tag == 25);
  CHECK(cursors.second_name_4 == &points[2].name[4]);
  CHECK(cursors.points_end == &points[8]);
  CHECK(cursors.text_middle == text + 7 && *cursors.text_middle == 'r');
  CHECK(tree != NULL && tree->left != NULL && cursors.shared == tree->left->right);
  CHECK(cursors.nothing == NULL);
  CHECK(cursors.name_end == &points[1].name[6]);

  CHECK(frame->depth == 3);
  CHECK(frame->counter == &counter);
  CHECK(frame->grid_cell == &grid[2][3]);
  const struct dnode *fourth = list_head;
  for (int i = 0; i < 4; ++i) fourth = fourth->next;
  CHECK(frame->cursor == fourth);
  return failures;
}

size_t state_graph_roots(struct graph_frame *frame, void **roots, size_t capacity) {
  void *all[] = {&all_scalars, &list_head, &tree, points, &text, operations, &counter,
                 grid, &padded, &word, &cursors, frame};
  size_t n = sizeof all / sizeof all[0];
  for (size_t i = 0; i < n && i < capacity; ++i) roots[i] = all[i];
  return n;
}

void state_graph_register_frame(struct graph_frame *frame) {
  snow_register_stack_block(frame, 1, T_FRAME, snow_stack_key(0, 0), "frame");
}
