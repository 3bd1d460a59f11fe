/* Open files across a migration: a log written line by line, an input read
 * in pieces, and stderr used through a FILE * variable. The restarted run
 * must continue both files at their positions; at the end the program
 * prints its log, so the comparison with the original covers the file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static FILE *diagnostics;

static void fill_input(const char *path) {
  FILE *in = fopen(path, "w");
  for (int i = 0; i < 40; i++) fprintf(in, "line %02d of the input\n", i);
  fclose(in);
}

int main(int argc, char **argv) {
  const char *dir = argc > 1 ? argv[1] : ".";
  char input[512], log[512];
  snprintf(input, sizeof input, "%s/file_output.input", dir);
  snprintf(log, sizeof log, "%s/file_output.log", dir);
  diagnostics = stderr;
  fill_input(input);
  FILE *in = fopen(input, "r");
  FILE *out = fopen(log, "w");
  if (in == NULL || out == NULL) {
    fprintf(diagnostics, "cannot open the files\n");
    return 1;
  }
  char buf[64];
  int n = 0;
  while (fgets(buf, sizeof buf, in) != NULL) {
#pragma snow poll
    buf[strcspn(buf, "\n")] = '\0';
    fprintf(out, "%d: %s (%zu chars)\n", n, buf, strlen(buf));
    if (n % 10 == 9) printf("copied %d lines\n", n + 1);
    n++;
  }
  fclose(in);
  fclose(out);
  out = fopen(log, "r");
  while (fgets(buf, sizeof buf, out) != NULL) fputs(buf, stdout);
  fclose(out);
  return 0;
}
