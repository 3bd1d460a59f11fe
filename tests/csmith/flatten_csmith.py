#!/usr/bin/env python3
"""Writes a csmith program with csmith's own headers pasted in place of their
#include lines (each header once; system headers stay #include <…>), so that
the state csmith.h defines (crc32_tab, crc32_context, …) lives in the main
file. Only the headers the preprocessor really includes (cc -MM) are pasted,
so those named in branches that are not taken stay as they are. run_csmith.sh --flatten-header uses it to look past the precompiler's
not migrating globals defined in included headers (tests/csmith/repro/
header-global.c).

usage: flatten_csmith.py CSMITH_INCLUDE_DIR IN.c OUT.c
"""
import os
import re
import shlex
import subprocess
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def flatten(path, include_dir, used, seen, out):
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        for line in f:
            m = INCLUDE.match(line)
            header = os.path.join(include_dir, m.group(1)) if m else None
            if header and header in used:
                if header not in seen:
                    seen.add(header)
                    out.write(f"/* ---- {m.group(1)} ---- */\n")
                    flatten(header, include_dir, used, seen, out)
                    out.write(f"/* ---- end of {m.group(1)} ---- */\n")
                continue
            out.write(line)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    include_dir, source, target = sys.argv[1:]
    deps = subprocess.run([os.environ.get("CC", "cc"), "-MM", "-I" + include_dir, source],
                          check=True, capture_output=True, text=True).stdout
    used = {os.path.normpath(d) for d in shlex.split(deps.replace("\\\n", " "))[1:]}
    with open(target, "w", encoding="utf-8", errors="surrogateescape") as out:
        flatten(source, include_dir, used, set(), out)


if __name__ == "__main__":
    main()
