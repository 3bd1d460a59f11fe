/*
 * snow/msr.h — the memory-state API that migratable C programs link against.
 *
 * A migratable program describes its memory to the runtime with static tables
 * (normally emitted by snow-precompile): one type descriptor per C type it
 * stores, one entry per global, one per function whose address it takes.
 * Sizes and offsets in those tables come from `sizeof` / `offsetof` evaluated
 * by each platform's own compiler; everything else (kinds, wire widths, names,
 * counts) is identical on every platform, which is what makes the program
 * fingerprint — and so a state stream — portable between them.
 *
 * Heap blocks are created through the typed allocator below so the runtime
 * knows what each block holds. Stack variables whose address is taken are
 * registered for as long as they are in scope.
 *
 * Everything here is plain C11 so that any platform's C compiler builds it.
 * The runtime is single-threaded by design: a migratable program has one
 * thread (the precompiler rejects threads).
 */
#ifndef SNOW_MSR_H
#define SNOW_MSR_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Index into the program's type table. */
typedef uint32_t snow_type_id;

#define SNOW_NO_TYPE ((snow_type_id)0xffffffffu)

/* What a type is. Values are part of the wire format; never renumber. */
enum snow_type_kind {
  SNOW_KIND_SIGNED = 1,       /* signed integer (also signed enums) */
  SNOW_KIND_UNSIGNED = 2,     /* unsigned integer, plain char, unsigned enums */
  SNOW_KIND_BOOL = 3,         /* _Bool: 0 or 1 */
  SNOW_KIND_FLOAT = 4,        /* IEEE 754 binary32 (wire 4) or binary64 (wire 8) */
  SNOW_KIND_POINTER = 5,      /* data pointer: travels as a logical address */
  SNOW_KIND_FUNCTION = 6,     /* function pointer: travels as a function-table id */
  SNOW_KIND_ARRAY = 7,        /* fixed array of `count` elements of `element` */
  SNOW_KIND_STRUCT = 8,       /* fields in increasing offset order */
  SNOW_KIND_UNION = 9,        /* supported only when every member has one shape */
  SNOW_KIND_UNSUPPORTED = 10  /* e.g. long double: a block holding it cannot move */
};

typedef struct snow_field_desc {
  const char *name;    /* field name as written in C */
  snow_type_id type;   /* must be a lower id than the enclosing type */
  size_t offset;       /* offsetof() on this platform */
} snow_field_desc;

typedef struct snow_type_desc {
  const char *name;               /* "int", "struct node", "double[8]" */
  uint32_t kind;                  /* enum snow_type_kind */
  uint32_t wire_size;             /* scalars: canonical width in bytes (1, 2, 4, 8) */
  size_t size;                    /* sizeof() on this platform */
  snow_type_id element;           /* arrays: element type (lower id); pointers: pointee */
  size_t count;                   /* arrays: element count */
  const snow_field_desc *fields;  /* structs and unions */
  size_t field_count;
} snow_type_desc;

typedef void (*snow_function_address)(void);

typedef struct snow_function_desc {
  const char *name;                 /* stable across platforms: the id is the index */
  snow_function_address address;
  /* Migratable functions (those on a call path from main to a poll-point):
   * for resume point r (1 … resume_count), resume_views[r - 1] is the type of
   * the frame's locals struct as seen there — only the fields live at r. */
  const snow_type_id *resume_views;
  size_t resume_count;
} snow_function_desc;

typedef struct snow_global_desc {
  const char *name;
  void *address;
  snow_type_id type;   /* element type */
  size_t count;        /* number of elements (1 for a scalar or struct) */
  unsigned flags;      /* SNOW_GLOBAL_* */
} snow_global_desc;

/* A `const` global: collected like any other (pointers into it and its own
 * pointers travel), but a restore never writes it — it may live in read-only
 * memory, and the destination's copy already holds the same values. */
#define SNOW_GLOBAL_CONSTANT 1u

typedef struct snow_program_desc {
  const char *name;
  const snow_type_desc *types;
  size_t type_count;
  const snow_function_desc *functions;
  size_t function_count;
  const snow_global_desc *globals;
  size_t global_count;
  /* Bytes mixed into the fingerprint (e.g. the poll-point table): a stream
   * is only restored into a program that agrees on them. */
  const void *extra;
  size_t extra_size;
} snow_program_desc;

/* Validates the tables, registers the globals, and makes this the program
 * whose state is collected and restored. Returns 0, or -1 with the reason
 * in snow_last_error(). */
int snow_program_init(const snow_program_desc *program);

/* The reason for the last failure of any snow_* call in this thread. */
const char *snow_last_error(void);

/* The typed allocator. `type` is the element type; the block holds
 * bytes / sizeof(type) elements. Semantics otherwise match the C library. */
void *snow_malloc(size_t bytes, snow_type_id type);
void *snow_calloc(size_t count, size_t size, snow_type_id type);
void *snow_realloc(void *block, size_t bytes, snow_type_id type);
void snow_free(void *block);
void *snow_aligned_alloc(size_t alignment, size_t bytes, snow_type_id type);
int snow_posix_memalign(void **out, size_t alignment, size_t bytes, snow_type_id type);
char *snow_strdup(const char *text, snow_type_id char_type);

/* Allocation wrappers (`void *xmalloc(size_t)`): inside a wrapper the block is
 * allocated *pending* — untyped and not yet known to the collector — and the
 * wrapper's caller adopts it with the element type visible there:
 * snow_adopt(xmalloc(n), type). snow_adopt of a block that is not the pending
 * one retypes it if it is a known heap block in the registry (a headed block,
 * runtime/src/msr/headed_heap.hpp, only if a wrapper's snow_realloc_pending
 * returned it last) and otherwise does nothing, reading nothing of it.
 * Both return their block. The precompiler writes these calls. */
void *snow_malloc_pending(size_t bytes);
void *snow_calloc_pending(size_t count, size_t size);
void *snow_realloc_pending(void *block, size_t bytes);
void *snow_aligned_alloc_pending(size_t alignment, size_t bytes);
void *snow_adopt(void *block, snow_type_id type);

/* Stack variables whose address is taken (after snow_program_init). `key` names the variable stably
 * across platforms (the precompiler uses frame depth and variable index);
 * `name` is used in error messages. Unregister before the scope ends. */
void snow_register_stack_block(void *address, size_t count, snow_type_id type,
                               uint64_t key, const char *name);
void snow_unregister_stack_block(void *address);

/* Builds a stack key from a frame depth (0 = main) and a variable index. */
static inline uint64_t snow_stack_key(uint32_t frame_depth, uint32_t variable) {
  return ((uint64_t)frame_depth << 32) | variable;
}

/* Collects the state reachable from `roots` (registered global or stack
 * blocks, outermost frame first) into a file. Returns 0 or -1. */
int snow_save_state_file(const char *path, void *const *roots, size_t root_count);

/* Restores a file written by snow_save_state_file into this program: globals
 * in place, stack blocks into those registered under the same keys, heap
 * blocks freshly allocated. Returns 0 or -1 (the error names the problem). */
int snow_restore_state_file(const char *path);

#ifdef __cplusplus
}
#endif

#endif /* SNOW_MSR_H */
