/* In another unit, with a static counter that must survive a migration. */
long advance(long value) {
  static long calls;
  calls++;
  return value * 2 + STEP + calls;
}
