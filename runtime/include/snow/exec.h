/*
 * snow/exec.h — execution state: what snow-precompile's output calls so that a
 * running program can stop at a poll-point, have its frames collected
 * outermost first, and resume — here, or from a checkpoint on any platform.
 *
 * The shape of a migratable function after precompilation:
 *
 *   double f(int n) {
 *     struct snow_locals_f L;                 // where every local is saved for collection
 *     snow_frame F;
 *     L.n = n;                                // n is never written: saved once
 *     snow_enter(&F, snow_unit_functions[3], &L);
 *     if (snow_resuming) switch (snow_resume(&F)) { case 1: goto snow_rp_1; case 2: goto snow_rp_2; }
 *     …
 *     SNOW_POLL(&F, 1); snow_rp_1:;           // a poll-point (locals that change are
 *     …                                       // saved inside it when it fires, see below)
 *     L.i = i; F.resume_point = 2;            // a call on a migration path: save, then
 *     if (0) { snow_rp_2:; n = L.n; i = L.i; }  // reload where resuming enters
 *     double t = g(n, i);
 *     …
 *     snow_leave(&F); return t;
 *   }
 *
 * Scalar locals stay C locals (registers); docs/precompiler.md says which
 * stay in L instead. A poll-point with locals to save is SNOW_POLL written
 * out, saving them in the branch that calls snow_poll().
 *
 * A frame's resume point is non-zero only while the frame is inside the call
 * or poll-point it names: g's snow_leave sets f's back to 0, and so does
 * SNOW_POLL once snow_poll() returns. So a poll-point reached through a
 * library function that calls the program back (a qsort comparator) finds a
 * frame at 0, and the request waits for the next poll-point.
 *
 * Triggering: SIGUSR1 (or snow_request_checkpoint()) makes the next poll-point
 * checkpoint; SNOW_CHECKPOINT_AT_POLL=k makes the k-th poll-point do it. See
 * docs/checkpoint-restart.md for the environment variables.
 */
#ifndef SNOW_EXEC_H
#define SNOW_EXEC_H

#include "msr.h"

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One activation of a migratable function (SNOW's execution-state record). */
typedef struct snow_frame {
  struct snow_frame *caller;
  uint32_t function;       /* program-wide function id */
  uint32_t resume_point;   /* 1-based; where this frame stands when collected */
  void *locals;            /* the frame's locals struct */
} snow_frame;

extern snow_frame *snow_top_frame;
/* Poll-points count themselves and act when the count reaches the trigger. */
extern uint64_t snow_poll_count;
extern volatile uint64_t snow_poll_trigger;
/* Non-zero while frames are being restored at start-up. */
extern int snow_resuming;

static inline void snow_enter(snow_frame *frame, uint32_t function, void *locals) {
  frame->caller = snow_top_frame;
  frame->function = function;
  frame->resume_point = 0;
  frame->locals = locals;
  snow_top_frame = frame;
}

/* The caller no longer stands at the call it made: its resume point goes
 * back to 0, so that a frame is non-zero only while it is inside the call or
 * poll-point its resume point names. A poll-point reached through a call the
 * precompiler cannot see (qsort calling a comparator back) then finds a
 * frame at 0 and waits for a later one (snow_poll) instead of collecting a
 * frame that resumes at a call it has already left. */
static inline void snow_leave(snow_frame *frame) {
  snow_frame *caller = frame->caller;
  snow_top_frame = caller;
  if (caller) caller->resume_point = 0;
}

/* The work of a poll-point whose trigger fired: checkpoint, migrate, or continue. */
void snow_poll(void);

#define SNOW_POLL(frame, point)                                                    \
  do {                                                                             \
    if (__builtin_expect(++snow_poll_count >= snow_poll_trigger, 0)) {             \
      (frame)->resume_point = (point);                                             \
      snow_poll();                                                                 \
      (frame)->resume_point = 0;                                                   \
    }                                                                              \
  } while (0)

/* Restores `frame`'s locals from the state being resumed and returns the
 * resume point to jump to. Called at function entry while snow_resuming. */
uint32_t snow_resume(snow_frame *frame);

/* Asks the next poll-point to checkpoint (async-signal-safe). */
void snow_request_checkpoint(void);

/* rand()/srand() and random()/srandom() as the precompiler rewrites them:
 * glibc's sequence exactly, with the generator's state in migrated memory. */
int snow_rand(void);
void snow_srand(unsigned seed);
long snow_random(void);
void snow_srandom(unsigned seed);

/* fopen/fclose as the precompiler rewrites them: the runtime keeps a table of
 * open files (path, mode), reopened at their positions after a restart. */
FILE *snow_fopen(const char *path, const char *mode);
int snow_fclose(FILE *file);

/* ---- translation units ----------------------------------------------------
 * Each precompiled .c file describes its own types, functions and globals
 * with unit-local ids and registers itself from a constructor. At start-up
 * the runtime merges the units (sorted by name, so every platform builds the
 * same program) and fills each unit's id maps, which the generated code reads
 * (snow_unit_types[k], snow_unit_functions[k]). */
typedef struct snow_unit_desc {
  snow_program_desc program;  /* ids inside are unit-local */
  snow_type_id *type_ids;     /* filled: program-wide id of each unit type */
  uint32_t *function_ids;     /* filled: program-wide id of each unit function */
} snow_unit_desc;

void snow_register_unit(const snow_unit_desc *unit);

/* Called by the constructor of a unit that may hand a block of the typed
 * allocator to the C library's free or realloc (through a macro, a function
 * pointer, getline, getdelim or reallocarray): every block of the program
 * then stays a plain C library block, registered in the block registry,
 * instead of getting a header (runtime/src/msr/headed_heap.hpp).
 * SNOW_PLAIN_HEAP=1 in the environment does the same at run time. */
void snow_keep_heap_plain(void);

/* Called first thing in main: merges the units, initialises the program,
 * registers argv, installs the checkpoint signal handler and, when
 * SNOW_RESTART names a checkpoint file, starts restoring it (main's own
 * frame is then restored by its snow_resume). Exits with a message on error. */
void snow_start(int *argc, char ***argv);

#ifdef __cplusplus
}
#endif

#endif /* SNOW_EXEC_H */
