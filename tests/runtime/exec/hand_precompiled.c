/*
 * hand_precompiled.c — what snow-precompile produces, written by hand.
 *
 * The original program (kept in the comments next to each transformed part)
 * builds a linked list in the leaves of a recursion and prints as it goes. It
 * exercises the execution-state runtime without the precompiler: frames on
 * the shadow stack, resume points at poll-points and at call sites, locals
 * structs with one view per resume point, a recursive function, heap blocks
 * and globals — and it is the reference the precompiler's output is held to.
 *
 * Original:
 *
 *   struct item { long value; struct item *next; };
 *   static struct item *items;
 *   static long total;
 *
 *   long sum_list(const struct item *p) { … }        // not on a migration path
 *
 *   long work(int depth, long acc) {
 *     if (depth == 0) {
 *       for (int i = 0; i < 5; i++) {
 *   #pragma snow poll
 *         struct item *it = malloc(sizeof *it);
 *         it->value = acc + i; it->next = items; items = it;
 *         printf("leaf acc=%ld i=%d sum=%ld\n", acc, i, sum_list(items));
 *       }
 *       return acc;
 *     }
 *     long r = work(depth - 1, acc * 3 + depth);
 *     total += r;
 *     return r + 1;
 *   }
 *
 *   int main(int argc, char **argv) {
 *     int rounds = argc > 1 ? atoi(argv[1]) : 4;
 *     for (int round = 0; round < rounds; round++) {
 *   #pragma snow poll
 *       long r = work(3, round);
 *       printf("round %d -> %ld total %ld\n", round, r, total);
 *     }
 *     return 0;
 *   }
 */
#include <snow/snow.h>

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

/* Unit-local ids, resolved to program-wide ones by snow_start. */
static snow_type_id snow_unit_types[8];
static uint32_t snow_unit_functions[2];
enum { T_INT, T_LONG, T_ITEM_PTR, T_ITEM, T_MAIN_1, T_MAIN_2, T_WORK_1, T_WORK_2 };
enum { F_MAIN, F_WORK };

struct item {
  long value;
  struct item *next;
};
static struct item *items;
static long total;

static long sum_list(const struct item *p) {
  long s = 0;
  for (; p; p = p->next) s += p->value;
  return s;
}

struct snow_locals_work {
  int depth;
  long acc;
  int i;
  struct item *it;
  long r;
};

static long work(int depth, long acc) {
  struct snow_locals_work L;
  snow_frame F;
  L.depth = depth;
  L.acc = acc;
  snow_enter(&F, snow_unit_functions[F_WORK], &L);
  if (snow_resuming) {
    switch (snow_resume(&F)) {
    case 1: goto snow_rp_1;
    case 2: goto snow_rp_2;
    default: break;
    }
  }
  if (L.depth == 0) {
    for (L.i = 0; L.i < 5; L.i++) {
      SNOW_POLL(&F, 1);
    snow_rp_1:;
      L.it = snow_malloc(sizeof *L.it, snow_unit_types[T_ITEM]);
      L.it->value = L.acc + L.i;
      L.it->next = items;
      items = L.it;
      printf("leaf acc=%ld i=%d sum=%ld\n", L.acc, L.i, sum_list(items));
    }
    {
      long snow_return = L.acc;
      snow_leave(&F);
      return snow_return;
    }
  }
  F.resume_point = 2;
snow_rp_2:
  L.r = work(L.depth - 1, L.acc * 3 + L.depth);
  total += L.r;
  {
    long snow_return = L.r + 1;
    snow_leave(&F);
    return snow_return;
  }
}

struct snow_locals_main {
  int argc;
  char **argv;
  int rounds;
  int round;
  long r;
};

int main(int argc, char **argv) {
  struct snow_locals_main L;
  snow_frame F;
  snow_start(&argc, &argv);
  L.argc = argc;
  L.argv = argv;
  snow_enter(&F, snow_unit_functions[F_MAIN], &L);
  if (snow_resuming) {
    switch (snow_resume(&F)) {
    case 1: goto snow_rp_1;
    case 2: goto snow_rp_2;
    default: break;
    }
  }
  L.rounds = L.argc > 1 ? atoi(L.argv[1]) : 4;
  for (L.round = 0; L.round < L.rounds; L.round++) {
    SNOW_POLL(&F, 1);
  snow_rp_1:;
    F.resume_point = 2;
  snow_rp_2:
    L.r = work(3, L.round);
    printf("round %d -> %ld total %ld\n", L.round, L.r, total);
  }
  {
    int snow_return = 0;
    snow_leave(&F);
    return snow_return;
  }
}

/* ---- the unit's description ---------------------------------------------- */

static const snow_field_desc item_fields[] = {
    {"value", T_LONG, offsetof(struct item, value)},
    {"next", T_ITEM_PTR, offsetof(struct item, next)},
};
/* The views: the locals live at each resume point, at their offsets in L. */
static const snow_field_desc main_1_fields[] = {
    {"rounds", T_INT, offsetof(struct snow_locals_main, rounds)},
    {"round", T_INT, offsetof(struct snow_locals_main, round)},
};
static const snow_field_desc main_2_fields[] = {
    {"rounds", T_INT, offsetof(struct snow_locals_main, rounds)},
    {"round", T_INT, offsetof(struct snow_locals_main, round)},
};
static const snow_field_desc work_1_fields[] = {
    {"acc", T_LONG, offsetof(struct snow_locals_work, acc)},
    {"i", T_INT, offsetof(struct snow_locals_work, i)},
};
static const snow_field_desc work_2_fields[] = {
    {"depth", T_INT, offsetof(struct snow_locals_work, depth)},
    {"acc", T_LONG, offsetof(struct snow_locals_work, acc)},
};

static const snow_type_desc snow_unit_type_descs[] = {
    [T_INT] = {"int", SNOW_KIND_SIGNED, 4, sizeof(int), SNOW_NO_TYPE, 0, NULL, 0},
    [T_LONG] = {"long", SNOW_KIND_SIGNED, 8, sizeof(long), SNOW_NO_TYPE, 0, NULL, 0},
    [T_ITEM_PTR] = {"struct item *", SNOW_KIND_POINTER, 0, sizeof(struct item *), T_ITEM, 0, NULL, 0},
    [T_ITEM] = {"struct item", SNOW_KIND_STRUCT, 0, sizeof(struct item), SNOW_NO_TYPE, 0, item_fields, 2},
    [T_MAIN_1] = {"main@1", SNOW_KIND_STRUCT, 0, sizeof(struct snow_locals_main), SNOW_NO_TYPE, 0, main_1_fields, 2},
    [T_MAIN_2] = {"main@2", SNOW_KIND_STRUCT, 0, sizeof(struct snow_locals_main), SNOW_NO_TYPE, 0, main_2_fields, 2},
    [T_WORK_1] = {"work@1", SNOW_KIND_STRUCT, 0, sizeof(struct snow_locals_work), SNOW_NO_TYPE, 0, work_1_fields, 2},
    [T_WORK_2] = {"work@2", SNOW_KIND_STRUCT, 0, sizeof(struct snow_locals_work), SNOW_NO_TYPE, 0, work_2_fields, 2},
};
static const snow_type_id main_views[] = {T_MAIN_1, T_MAIN_2};
static const snow_type_id work_views[] = {T_WORK_1, T_WORK_2};
static const snow_function_desc snow_unit_function_descs[] = {
    [F_MAIN] = {"main", (snow_function_address)main, main_views, 2},
    [F_WORK] = {"work", (snow_function_address)work, work_views, 2},
};
static const snow_global_desc snow_unit_globals[] = {
    {"items", &items, T_ITEM_PTR, 1, 0},
#ifndef SNOW_HAND_VARIANT
    {"total", &total, T_LONG, 1, 0},
#else
    /* Another program for the state's point of view: restoring this one's
       state into it must fail (tests/runtime/exec/live_migrate.py). */
    {"grand_total", &total, T_LONG, 1, 0},
#endif
};
static const snow_unit_desc snow_unit = {
    {"tests/runtime/exec/hand_precompiled.c", snow_unit_type_descs, 8, snow_unit_function_descs, 2,
     snow_unit_globals, 2, NULL, 0},
    snow_unit_types,
    snow_unit_functions,
};
__attribute__((constructor)) static void snow_register_this_unit(void) { snow_register_unit(&snow_unit); }
