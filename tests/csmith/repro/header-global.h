/* Included by header-global.c: state defined in a header, as csmith.h does
 * (static uint32_t crc32_tab[256], crc32_context). */
static unsigned table[4];
static unsigned total = 1;

static void fill(void) {
  for (int i = 0; i < 4; i++) table[i] = 10u * (unsigned)(i + 1);
}
