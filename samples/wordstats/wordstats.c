/* Word statistics over a generated text, written to a report file in several steps.
 *
 * Usage: snow-sample-wordstats <report-file> [words [passes [rounds]]]
 *        (defaults: 200000 words, 4 passes, 1 round; rounds repeat the passes)
 *
 * The text is made of syllables from a table of string literals (some with UTF-8 bytes above
 * 0x7f, which are negative as a plain `char` on x86 and positive on s390x, powerpc and ARM).
 * All words live in one heap buffer, NUL-separated; a table of char pointers points into it.
 * Each pass counts the words of one slice of the text in a hash table, then appends its top
 * words, word-length histogram and byte histogram to the report. The report stays open for
 * the whole run; at the end it is read back and its checksum and line count are printed. */

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { DEFAULT_WORDS = 200000, MAX_WORDS = 10000000, DEFAULT_PASSES = 4, MAX_PASSES = 1000, MAX_ROUNDS = 1000 };
enum { MAX_SYLLABLES = 4, TOP_WORDS = 12, LONGEST_WORD = 64 };

/* Includes UTF-8 syllables: "\xc3\x9f" is "ß", "\xc3\xa9t\xc3\xa9" is "été", and so on. */
/* clang-format off */
static const char *const syllables[] = {
    "ka",  "lo",  "\xc3\x9f", "mi",  "ne",  "ru",  "sa",  "ti",  "vo",  "zu",
    "bel", "\xc3\xa9t\xc3\xa9", "dor", "fin", "gar", "hum", "jek", "qua", "str", "oo",
    "e",   "an",  "th",  "ix",  "yl",  "caf", "pho", "wen", "na\xc3\xaf", "\xc3\xbcr",
};
/* clang-format on */
enum { SYLLABLE_COUNT = sizeof syllables / sizeof syllables[0] };

/* The generator's state lives in a global. */
static uint64_t lcg_state = 0x853C49E6748FEA9BULL;

static int lcg_below(int bound) {
  lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
  return (int)((lcg_state >> 33) % (uint64_t)bound);
}

static void *checked_malloc(size_t size) {
  void *p = malloc(size);
  if (p == NULL) {
    fprintf(stderr, "wordstats: out of memory (%zu bytes)\n", size);
    exit(3);
  }
  return p;
}

/* The text: `count` words in one heap buffer, and a table of pointers into that buffer. */
struct text {
  int count;
  char *buffer;
  char **words;
};

/* Short syllables are more likely than long ones, so some words repeat often. */
static const char *pick_syllable(void) {
  int a = lcg_below(SYLLABLE_COUNT), b = lcg_below(SYLLABLE_COUNT);
  return syllables[a < b ? a : b];
}

static struct text make_text(int count) {
  size_t longest_syllable = 0;
  for (int i = 0; i < SYLLABLE_COUNT; i++)
    if (strlen(syllables[i]) > longest_syllable)
      longest_syllable = strlen(syllables[i]);
  struct text t = {.count = count};
  t.buffer = checked_malloc((size_t)count * (MAX_SYLLABLES * longest_syllable + 1));
  t.words = checked_malloc((size_t)count * sizeof *t.words);
  char *end = t.buffer;
  for (int i = 0; i < count; i++) {
    t.words[i] = end;
    int parts = 1 + lcg_below(MAX_SYLLABLES);
    for (int k = 0; k < parts; k++) {
      const char *s = pick_syllable();
      size_t len = strlen(s);
      memcpy(end, s, len);
      end += len;
    }
    *end++ = '\0';
  }
  return t;
}

/* FNV-1a over the bytes of a string (as unsigned char, whatever the signedness of char). */
static uint32_t hash_string(const char *s) {
  uint32_t h = 2166136261u;
  for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++)
    h = (h ^ *p) * 16777619u;
  return h;
}

/* Writes one numbered line to the report. The line counter is a static local: it keeps
 * counting across the passes, so it is part of the program's state at every poll point. */
static void report_line(FILE *report, const char *format, ...) {
  static long long line_number;
  va_list args;
  va_start(args, format);
  fprintf(report, "%5lld ", ++line_number);
  vfprintf(report, format, args);
  fputc('\n', report);
  va_end(args);
}

/* A word's weight: a sum of letter values. A static direct-mapped cache remembers recent
 * words; it holds pointers into the text buffer, which stay valid for the whole run. */
static int word_weight(const char *word, int *was_cached) {
  enum { CACHE_SLOTS = 64 };
  static struct {
    const char *word;
    int weight;
  } cache[CACHE_SLOTS];
  unsigned slot = hash_string(word) % CACHE_SLOTS;
  if (cache[slot].word != NULL && strcmp(cache[slot].word, word) == 0) {
    *was_cached = 1;
    return cache[slot].weight;
  }
  int weight = 0;
  for (const unsigned char *p = (const unsigned char *)word; *p != '\0'; p++)
    weight += *p < 0x80 ? *p - 'a' + 1 : *p - 0x80 + 27;
  cache[slot].word = word;
  cache[slot].weight = weight;
  *was_cached = 0;
  return weight;
}

/* Open-addressing hash table from word (a pointer into the text) to its count. */
struct entry {
  const char *word;
  int count;
  int first;    /* index of the word's first occurrence: a deterministic tie-break */
  char initial; /* the first byte: negative on x86 and positive on ARM for bytes >= 0x80 */
};

struct table {
  int capacity; /* a power of two */
  int used;
  struct entry *slots;
};

static struct table table_create(int expected) {
  struct table t = {.capacity = 16};
  while (t.capacity < 2 * expected)
    t.capacity *= 2;
  t.slots = checked_malloc((size_t)t.capacity * sizeof *t.slots);
  for (int i = 0; i < t.capacity; i++)
    t.slots[i] = (struct entry){NULL, 0, 0, 0};
  return t;
}

static void table_count(struct table *t, const char *word, int index) {
  uint32_t mask = (uint32_t)t->capacity - 1u;
  for (uint32_t i = hash_string(word) & mask;; i = (i + 1u) & mask) {
    struct entry *e = &t->slots[i];
    if (e->word == NULL) {
      *e = (struct entry){word, 1, index, word[0]};
      t->used++;
      return;
    }
    if (strcmp(e->word, word) == 0) {
      e->count++;
      return;
    }
  }
}

/* Most frequent first; equal counts in order of first occurrence. */
static int by_count(const void *a, const void *b) {
  const struct entry *x = a, *y = b;
  if (x->count != y->count)
    return x->count > y->count ? -1 : 1;
  return (x->first > y->first) - (x->first < y->first);
}

/* One pass: statistics of words [begin, end), appended to the report. */
static void report_slice(FILE *report, const struct text *t, int pass, int begin, int end) {
  struct table counts = table_create(end - begin);
  long long length_histogram[LONGEST_WORD + 1] = {0};
  long long byte_histogram[256] = {0};
  long long weight_sum = 0;
  int cache_hits = 0;
  for (int i = begin; i < end; i++) {
    const char *w = t->words[i];
    table_count(&counts, w, i);
    size_t len = strlen(w);
    length_histogram[len < LONGEST_WORD ? len : LONGEST_WORD]++;
    for (const char *p = w; *p != '\0'; p++)
      byte_histogram[(unsigned char)*p]++;
    int was_cached;
    weight_sum += word_weight(w, &was_cached);
    cache_hits += was_cached;
  }

  /* Compact the used slots to the front and sort them. */
  int distinct = 0;
  for (int i = 0; i < counts.capacity; i++)
    if (counts.slots[i].word != NULL)
      counts.slots[distinct++] = counts.slots[i];
  qsort(counts.slots, (size_t)distinct, sizeof *counts.slots, by_count);

  report_line(report, "== pass %d: words %d..%d, %d distinct, weight %lld, %d cached", pass, begin,
              end - 1, distinct, weight_sum, cache_hits);
  for (int i = 0; i < distinct && i < TOP_WORDS; i++) {
    const struct entry *e = &counts.slots[i];
    report_line(report, "top %2d %-16s %6d (first at %d, initial byte %02x)", i + 1, e->word,
                e->count, e->first, (unsigned char)e->initial);
  }
  for (int len = 1; len <= LONGEST_WORD; len++)
    if (length_histogram[len] > 0)
      report_line(report, "length %2d: %lld", len, length_histogram[len]);
  for (int b = 0; b < 256; b++)
    if (byte_histogram[b] > 0)
      report_line(report, "byte 0x%02x: %lld", b, byte_histogram[b]);
  printf("pass %d: words %d..%d, %d distinct, most frequent \"%s\" x %d, weight %lld, "
         "%d cached\n",
         pass, begin, end - 1, distinct, counts.slots[0].word, counts.slots[0].count, weight_sum,
         cache_hits);
  free(counts.slots);
}

/* Reads the finished report back: FNV-1a over all its bytes, and its line count. */
static int summarize_file(const char *path, uint32_t *checksum, long long *lines) {
  FILE *f = fopen(path, "rb");
  if (f == NULL)
    return 0;
  uint32_t h = 2166136261u;
  long long n = 0;
  int c;
  while ((c = getc(f)) != EOF) {
    h = (h ^ (uint32_t)c) * 16777619u;
    n += c == '\n';
  }
  int ok = !ferror(f);
  fclose(f);
  *checksum = h;
  *lines = n;
  return ok;
}

static int parse_int(const char *text, const char *what, int min, int max, const char *prog) {
  char *end;
  long long v = strtoll(text, &end, 10);
  if (*text == '\0' || *end != '\0' || v < min || v > max) {
    fprintf(stderr, "%s: %s must be an integer in [%d, %d], not '%s'\n", prog, what, min, max,
            text);
    exit(2);
  }
  return (int)v;
}

int main(int argc, char **argv) {
  if (argc < 2 || argc > 5) {
    fprintf(stderr,
            "usage: %s <report-file> [words [passes [rounds]]]   (defaults: %d words, %d passes, 1 round)\n",
            argc > 0 ? argv[0] : "wordstats", DEFAULT_WORDS, DEFAULT_PASSES);
    return 2;
  }
  const char *path = argv[1];
  int count = argc > 2 ? parse_int(argv[2], "words", 1, MAX_WORDS, argv[0]) : DEFAULT_WORDS;
  int passes = argc > 3 ? parse_int(argv[3], "passes", 1, MAX_PASSES, argv[0]) : DEFAULT_PASSES;
  /* Rounds repeat the passes over the same text: a long run with a small state. */
  int rounds = argc > 4 ? parse_int(argv[4], "rounds", 1, MAX_ROUNDS, argv[0]) : 1;
  if (passes > count)
    passes = count;

  FILE *report = fopen(path, "w");
  if (report == NULL) {
    perror(path);
    return 1;
  }
  struct text t = make_text(count);
  report_line(report, "wordstats report: %d words in %d passes, %d syllables", count, passes,
              (int)SYLLABLE_COUNT);
  printf("wordstats: %d words, %d passes\n", count, passes);

  for (int step = 0; step < passes * rounds; step++) {
#pragma snow poll
    int pass = step % passes;
    int begin = (int)((long long)count * pass / passes);
    int end = (int)((long long)count * (pass + 1) / passes);
    report_slice(report, &t, step, begin, end);
  }
  report_line(report, "== end");
  if (fclose(report) != 0) {
    perror(path);
    return 1;
  }

  uint32_t checksum;
  long long lines;
  if (!summarize_file(path, &checksum, &lines)) {
    perror(path);
    return 1;
  }
  printf("report: %lld lines, checksum %08x\n", lines, (unsigned)checksum);
  free(t.words);
  free(t.buffer);
  return 0;
}
