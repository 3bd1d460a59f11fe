/* Bitonic sort of the values held in a binary tree, by recursive subtree swaps.
 *
 * Usage: snow-sample-bitonic [k [rounds]]   (defaults: k = 17, rounds = 4)
 *
 * A perfect binary tree of height k (2^k - 1 nodes, every node on the heap) together with one
 * spare value holds 2^k values: a subtree rooted at `t` and a spare value `s` stand for the
 * sequence inorder(t->left), t->value, inorder(t->right), s. Its first half is (t->left with
 * spare t->value) and its second half (t->right with spare s), which have the same shape, so
 * corresponding elements of the two halves are corresponding nodes of the two subtrees.
 *
 * A bitonic merge compares element i of the first half with element i of the second and puts
 * the smaller first. For a bitonic sequence the out-of-order positions form a prefix or a
 * suffix of the half, so the exchange is done by walking one path down the two subtrees and
 * swapping whole subtrees on one side of the path: O(k) work instead of O(2^k) (the adaptive
 * bitonic merge of Bilardi and Nicolau, as in the SNOW paper's benchmark). Each round sorts
 * ascending and then descending, checks both, and perturbs some values for the next round. */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

enum { DEFAULT_HEIGHT = 17, MAX_HEIGHT = 24, DEFAULT_ROUNDS = 4, MAX_ROUNDS = 1000 };

/* Subtrees at least this high are worth a migration point; smaller ones are the hot kernel,
 * which the cutoff in bitonic_sort leaves as it is (no poll-points, no frames). */
enum { POLL_MIN_HEIGHT = 12 };

enum direction { ASCENDING, DESCENDING };

struct node {
  uint32_t value;
  struct node *left;
  struct node *right;
};

/* The generator's state lives in a global. */
static uint64_t lcg_state = 0x2545F4914F6CDD1DULL;

static uint32_t lcg_next(void) {
  lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
  return (uint32_t)(lcg_state >> 32);
}

/* Values are distinct: the low `height` bits are a serial number and only the high bits are
 * random. The subtree-swap merge relies on strict comparisons, which ties would break. */
static uint32_t serial_counter;
static uint32_t fresh_value(int height) {
  uint32_t serial = serial_counter++;
  return (lcg_next() << height) | serial;
}

static struct node *build_tree(int height, int total_height) {
  if (height == 0)
    return NULL;
  struct node *t = malloc(sizeof *t);
  if (t == NULL) {
    fprintf(stderr, "bitonic: out of memory\n");
    exit(3);
  }
  t->left = build_tree(height - 1, total_height);
  t->value = fresh_value(total_height);
  t->right = build_tree(height - 1, total_height);
  return t;
}

static void free_tree(struct node *t) {
  if (t == NULL)
    return;
  free_tree(t->left);
  free_tree(t->right);
  free(t);
}

static int out_of_order(uint32_t first, uint32_t second, enum direction dir) {
  return dir == ASCENDING ? first > second : first < second;
}

static void swap_values(uint32_t *a, uint32_t *b) {
  uint32_t t = *a;
  *a = *b;
  *b = t;
}

static void swap_subtrees(struct node **a, struct node **b) {
  struct node *t = *a;
  *a = *b;
  *b = t;
}

/* Merges the bitonic sequence (t, *spare) of height `height` into order `dir`. */
static void bitonic_merge(struct node *t, uint32_t *spare, int height, enum direction dir) {
  if (t == NULL)
    return;
  /* The last positions of the two halves are t->value and *spare: whether they are out of
   * order tells whether the out-of-order positions are a suffix or a prefix of the halves. */
  int suffix = out_of_order(t->value, *spare, dir);
  if (suffix)
    swap_values(&t->value, spare);
  struct node *first = t->left, *second = t->right;
  while (first != NULL) {
    /* The middle positions of the subtrees decide on which side the boundary between
     * exchanged and kept positions lies: everything beyond the middle away from the boundary
     * is exchanged (or kept) as a whole subtree, and the walk goes on toward the boundary. */
    int exchange = out_of_order(first->value, second->value, dir);
    if (exchange) {
      swap_values(&first->value, &second->value);
      if (suffix)
        swap_subtrees(&first->right, &second->right);
      else
        swap_subtrees(&first->left, &second->left);
    }
    int toward_left = exchange == suffix;
    first = toward_left ? first->left : first->right;
    second = toward_left ? second->left : second->right;
  }
  bitonic_merge(t->left, &t->value, height - 1, dir);
  bitonic_merge(t->right, spare, height - 1, dir);
}

/* Sorts the sequence (t, *spare) of height `height` into order `dir`. */
static void bitonic_sort(struct node *t, uint32_t *spare, int height, enum direction dir) {
  if (t == NULL)
    return;
#pragma snow cutoff(height < POLL_MIN_HEIGHT)
#pragma snow poll
  enum direction opposite = dir == ASCENDING ? DESCENDING : ASCENDING;
  bitonic_sort(t->left, &t->value, height - 1, dir);
  bitonic_sort(t->right, spare, height - 1, opposite);
  bitonic_merge(t, spare, height, dir);
}

/* Order-sensitive checksum and order check over the in-order sequence. */
struct sequence_check {
  uint64_t hash;
  uint64_t multiset; /* order-independent: equal before and after a sort */
  uint64_t count;
  uint64_t inversions; /* adjacent pairs out of the expected order */
  uint32_t previous;
  enum direction dir;
};

/* A bijective scramble, so that the sum over all values fingerprints the multiset. */
static uint64_t mix(uint32_t value) {
  uint64_t x = value * 0x9E3779B97F4A7C15ULL;
  return x ^ (x >> 29);
}

static void check_value(struct sequence_check *c, uint32_t value) {
  if (c->count > 0 && out_of_order(c->previous, value, c->dir))
    c->inversions++;
  c->previous = value;
  c->hash = (c->hash ^ value) * 1099511628211ULL;
  c->multiset += mix(value);
  c->count++;
}

static void check_subtree(struct sequence_check *c, const struct node *t) {
  if (t == NULL)
    return;
  check_subtree(c, t->left);
  check_value(c, t->value);
  check_subtree(c, t->right);
}

static struct sequence_check check_sequence(const struct node *root, uint32_t spare,
                                            enum direction dir) {
  struct sequence_check c = {.hash = 14695981039346656037ULL, .dir = dir};
  check_subtree(&c, root);
  check_value(&c, spare);
  return c;
}

/* Replaces every `stride`-th value in in-order position with a fresh one (still distinct). */
static void perturb(struct node *t, int height, int total_height, uint32_t *position,
                    uint32_t stride) {
  if (t == NULL)
    return;
  perturb(t->left, height - 1, total_height, position, stride);
  if ((*position)++ % stride == 0)
    t->value = (lcg_next() << total_height) | (t->value & ((1u << total_height) - 1u));
  perturb(t->right, height - 1, total_height, position, stride);
}

static int parse_int(const char *text, const char *what, int min, int max, const char *prog) {
  char *end;
  long long v = strtoll(text, &end, 10);
  if (*text == '\0' || *end != '\0' || v < min || v > max) {
    fprintf(stderr, "%s: %s must be an integer in [%d, %d], not '%s'\n", prog, what, min, max,
            text);
    fprintf(stderr, "usage: %s [k [rounds]]   (2^k values; defaults: k = %d, rounds = %d)\n", prog,
            DEFAULT_HEIGHT, DEFAULT_ROUNDS);
    exit(2);
  }
  return (int)v;
}

/* Sorted means: in order, and the same values as before the sort. */
static int report(int round, const char *what, const struct sequence_check *c, uint64_t multiset) {
  int ok = c->inversions == 0 && c->multiset == multiset;
  printf("round %d %s: checksum %016llx multiset %016llx inversions %llu: %s\n", round, what,
         (unsigned long long)c->hash, (unsigned long long)c->multiset,
         (unsigned long long)c->inversions, ok ? "sorted" : "NOT SORTED");
  return ok;
}

int main(int argc, char **argv) {
  if (argc > 3) {
    fprintf(stderr, "usage: %s [k [rounds]]\n", argv[0]);
    return 2;
  }
  int height = argc > 1 ? parse_int(argv[1], "k", 1, MAX_HEIGHT, argv[0]) : DEFAULT_HEIGHT;
  int rounds = argc > 2 ? parse_int(argv[2], "rounds", 1, MAX_ROUNDS, argv[0]) : DEFAULT_ROUNDS;

  struct node *root = build_tree(height, height);
  uint32_t spare = fresh_value(height);
  printf("bitonic: 2^%d = %lu values, %d round(s)\n", height, 1ul << height, rounds);

  int ok = 1;
  for (int round = 0; round < rounds; round++) {
#pragma snow poll
    struct sequence_check before = check_sequence(root, spare, ASCENDING);
    printf("round %d input: checksum %016llx multiset %016llx\n", round,
           (unsigned long long)before.hash, (unsigned long long)before.multiset);

    bitonic_sort(root, &spare, height, ASCENDING);
    struct sequence_check up = check_sequence(root, spare, ASCENDING);
    ok &= report(round, "ascending", &up, before.multiset);

    bitonic_sort(root, &spare, height, DESCENDING);
    struct sequence_check down = check_sequence(root, spare, DESCENDING);
    ok &= report(round, "descending", &down, before.multiset);

    uint32_t position = 0;
    perturb(root, height, height, &position, 1u + (uint32_t)round % 7u);
  }
  printf("%s\n", ok ? "sorted" : "FAILED");
  free_tree(root);
  return ok ? 0 : 1;
}
