/* Linked into the host build of each precompiled csmith program by
 * run_csmith.sh: at exit, writes how many poll-points the run passed
 * (snow_poll_count) to the file named by SNOW_CSMITH_POLL_COUNT_FILE, so the
 * checkpoint can be placed at the middle one. Does nothing without it. */
#include <snow/snow.h>

#include <stdio.h>
#include <stdlib.h>

__attribute__((destructor)) static void snow_csmith_write_poll_count(void) {
  const char *path = getenv("SNOW_CSMITH_POLL_COUNT_FILE");
  if (!path || !*path) return;
  FILE *f = fopen(path, "w");
  if (!f) return;
  fprintf(f, "%llu\n", (unsigned long long)snow_poll_count);
  fclose(f);
}
