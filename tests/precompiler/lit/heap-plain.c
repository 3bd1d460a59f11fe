// A unit that may hand a block of the typed allocator to the C library's free
// or realloc asks the runtime to keep every heap block plain (no header in
// front of it: runtime/src/msr/headed_heap.hpp). Each variant below is one way
// to do it; the unit without any keeps the headers.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %snow-precompile -o %t/none %s
// RUN: grep -v -e HEADED -e PLAIN %t/none/heap-plain.snow.c | %FileCheck %s --check-prefix=HEADED
// RUN: %snow-precompile -o %t/macro %s -- -DFREE_IN_MACRO
// RUN: grep -v -e HEADED -e PLAIN %t/macro/heap-plain.snow.c | %FileCheck %s --check-prefix=PLAIN
// RUN: %snow-precompile -o %t/realloc-macro %s -- -DREALLOC_IN_MACRO
// RUN: grep -v -e HEADED -e PLAIN %t/realloc-macro/heap-plain.snow.c | %FileCheck %s --check-prefix=PLAIN
// RUN: %snow-precompile -o %t/pointer %s -- -DFREE_AS_POINTER
// RUN: grep -v -e HEADED -e PLAIN %t/pointer/heap-plain.snow.c | %FileCheck %s --check-prefix=PLAIN
// RUN: %snow-precompile -o %t/global %s -- -DFREE_IN_GLOBAL
// RUN: grep -v -e HEADED -e PLAIN %t/global/heap-plain.snow.c | %FileCheck %s --check-prefix=PLAIN
// RUN: %snow-precompile -o %t/getline %s -- -DGETLINE
// RUN: grep -v -e HEADED -e PLAIN %t/getline/heap-plain.snow.c | %FileCheck %s --check-prefix=PLAIN
// RUN: %snow-precompile -o %t/usable %s -- -DUSABLE_SIZE
// RUN: grep -v -e HEADED -e PLAIN %t/usable/heap-plain.snow.c | %FileCheck %s --check-prefix=PLAIN
// HEADED-NOT: snow_keep_heap_plain
// HEADED: static void snow_register_this_unit(void) { snow_register_unit(&snow_unit); }
// PLAIN: static void snow_register_this_unit(void) { snow_register_unit(&snow_unit); snow_keep_heap_plain(); }
#define _GNU_SOURCE
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>

struct item {
  int value;
  struct item *next;
};

#ifdef FREE_IN_MACRO
#define DROP(p) free(p)
#else
#define DROP(p) ((void)(p))
#endif

#ifdef FREE_IN_GLOBAL
static void (*const release)(void *) = free;
#endif

static void drop_all(struct item *list) {
  while (list != NULL) {
    struct item *next = list->next;
#ifdef FREE_AS_POINTER
    void (*release_one)(void *) = free;
    release_one(list);
#elif defined FREE_IN_GLOBAL
    release(list);
#else
    free(list);
#endif
    list = next;
  }
}

int main(void) {
  struct item *list = NULL;
  for (int i = 0; i < 3; i++) {
    struct item *it = malloc(sizeof *it);
    it->value = i;
    it->next = list;
    list = it;
  }
  int *grown = malloc(2 * sizeof *grown);
#ifdef REALLOC_IN_MACRO
#define GROW(p, n) realloc(p, n)
  grown = GROW(grown, 4 * sizeof *grown);
#else
  grown = realloc(grown, 4 * sizeof *grown);
#endif
  free(grown);
#ifdef GETLINE
  char *line = malloc(16);
  size_t size = 16;
  if (getline(&line, &size, stdin) > 0) printf("%s", line);
  free(line);
#endif
#ifdef USABLE_SIZE
  // Reads the C library's chunk header, which a typed block does not have.
  printf("%zu\n", malloc_usable_size(list) >= sizeof *list);
#endif
  DROP(NULL);
  drop_all(list);
  return 0;
}
