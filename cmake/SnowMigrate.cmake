#[=======================================================================[.rst:
SnowMigrate
-----------

Builds C programs as *migratable* executables: every source goes through
``snow-precompile`` at build time, the output is linked with the SnowMigrate
runtime, and the program is built for every platform it should be able to
move to — x86-64, s390x, powerpc, i686 and armhf — so that a process started
on one can be checkpointed or migrated and resumed on any other.

Using it
^^^^^^^^

Inside the SnowMigrate tree this module is already included. In your own
project, point CMake at a SnowMigrate build tree (the superbuild writes a
package configuration file there)::

  find_package(SnowMigrate REQUIRED)     # -DSnowMigrate_DIR=<snowmigrate>/build/default

  snow_add_migratable_executable(solver
    SOURCES main.c matrix.c
    POLL_POINTS BOTH
    PLATFORMS x86_64 s390x
    LINK_LIBRARIES m)
  target_include_directories(solver PRIVATE include)

Commands
^^^^^^^^

.. command:: snow_add_migratable_executable

  ::

    snow_add_migratable_executable(<name>
      SOURCES <file>...
      [POLL_POINTS DIRECTIVES|AUTO|BOTH]
      [PLATFORMS <platform>...]
      [LINK_LIBRARIES <library>...]
      [UNIT_ROOT <dir>])

  ``SOURCES``
    The program's C translation units (headers may be listed; they are not
    precompiled on their own). Relative paths are relative to the current
    source directory. All of them are precompiled together, as one program:
    functions on a migration path may live in any of them.

  ``POLL_POINTS``
    ``DIRECTIVES`` (the default): only ``#pragma snow poll``; ``AUTO``: only
    the precompiler's automatic poll-points; ``BOTH``. See
    ``docs/precompiler.md`` for the automatic policy.

  ``PLATFORMS``
    Where the program must run; the default is every platform the build
    knows (``SNOW_ALL_PLATFORMS``). The host (``x86_64``) executable is the
    ordinary target ``<name>``; every other platform's executable is built by
    the target ``<name>-<platform>`` into
    ``<binary dir>/<name>.platforms/<platform>/<name>``. Both are part of
    ``all``.

  ``LINK_LIBRARIES``
    Plain library names (``m``) linked on every platform. Libraries added to
    the host target with ``target_link_libraries`` reach the host build only.

  ``UNIT_ROOT``
    Directory that unit names in the state are relative to (default: the
    current source directory). Static functions and variables are named by
    their file's path relative to it, which must therefore be the same
    wherever the program is built.

  Include directories and compile definitions set on ``<name>`` (before or
  after this call, with the usual ``target_*`` commands) are passed to the
  precompiler and to every platform's compiler.

  What gets built, and when:

  - a custom command runs ``snow-precompile`` over all the sources into
    ``<binary dir>/<name>.snow/``: one ``<file>.snow.c`` per source and the
    JSON report ``snow-report.json`` (poll-points, live variables, migration
    paths, diagnostics). It re-runs when a source, a header one includes
    (through a depfile) or the precompiler changes. A construct the
    precompiler cannot make safe fails the build with its diagnostic
    (``file:line:col: error: … [code]``).
  - the host target compiles the generated C like any other C target.
  - each other platform compiles it with that platform's cross compiler
    (``<triple>-gcc``, ``-std=gnu11 -O2 -ffp-contract=off``, plus
    ``-msse2 -mfpmath=sse`` on i686) and links that platform's runtime.

  Target properties set on ``<name>``: ``SNOW_REPORT`` (the report's path),
  ``SNOW_PLATFORMS``, and ``SNOW_EXECUTABLE_<platform>`` for every platform.

The manifest
^^^^^^^^^^^^

At the end of the configure step the module writes
``<top binary dir>/snow-migratable-targets.json``, read by the scheduler and
the VS Code extension::

  {"version": 1, "targets": [
    {"name": "solver", "poll_points": "both",
     "sources": ["/…/main.c", "/…/matrix.c"],
     "report": "/…/solver.snow/snow-report.json",
     "executables": {"x86_64": "/…/solver", "s390x": "/…/solver.platforms/s390x/solver"},
     "emulators": {"x86_64": [], "s390x": ["qemu-s390x", "-L", "/usr/s390x-linux-gnu"]}}]}

Variables
^^^^^^^^^

The module needs, set by the SnowMigrate tree or its package configuration:
``SNOW_ALL_PLATFORMS``, ``SNOW_PRECOMPILE_EXECUTABLE`` (or the target
``snow-precompile``), ``SNOW_RUNTIME_INCLUDE_DIR``, and per platform p
``SNOW_RUNTIME_LIBRARY_<p>``, ``SNOW_PLATFORM_TRIPLE_<p>`` and
``SNOW_PLATFORM_EMULATOR_<p>``. Inside the superbuild, platform p's runtime
comes from its sub-build (the target ``snow-platform-<p>``).
#]=======================================================================]

include_guard(GLOBAL)

# The host-side commands live in the top build; a platform sub-build of the
# superbuild has nothing to do (the top build cross-compiles every platform).
function(snow_add_migratable_executable name)
  if(DEFINED SNOW_IS_HOST_BUILD AND NOT SNOW_IS_HOST_BUILD)
    return()
  endif()
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "POLL_POINTS;UNIT_ROOT" "SOURCES;PLATFORMS;LINK_LIBRARIES")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "snow_add_migratable_executable(${name}): unknown arguments: ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT arg_SOURCES)
    message(FATAL_ERROR "snow_add_migratable_executable(${name}): SOURCES is empty")
  endif()

  # Poll-point mode.
  if(NOT arg_POLL_POINTS)
    set(arg_POLL_POINTS DIRECTIVES)
  endif()
  string(TOUPPER "${arg_POLL_POINTS}" mode)
  if(mode STREQUAL "DIRECTIVES")
    set(mode directives)
  elseif(mode STREQUAL "AUTO")
    set(mode auto)
  elseif(mode STREQUAL "BOTH")
    set(mode both)
  else()
    message(FATAL_ERROR "snow_add_migratable_executable(${name}): POLL_POINTS must be DIRECTIVES, AUTO or "
                        "BOTH, not '${arg_POLL_POINTS}'")
  endif()

  # Platforms.
  if(NOT arg_PLATFORMS)
    set(arg_PLATFORMS ${SNOW_ALL_PLATFORMS})
  endif()
  if(NOT arg_PLATFORMS)
    set(arg_PLATFORMS x86_64)
  endif()
  foreach(p IN LISTS arg_PLATFORMS)
    if(NOT p STREQUAL "x86_64" AND NOT p IN_LIST SNOW_ALL_PLATFORMS)
      message(FATAL_ERROR "snow_add_migratable_executable(${name}): platform '${p}' is not built here "
                          "(this build has: ${SNOW_ALL_PLATFORMS}); known platforms are "
                          "x86_64 s390x ppc i686 armhf")
    endif()
  endforeach()

  # The precompiler: the tree's own target, or an installed/pre-built one.
  if(TARGET snow-precompile)
    set(precompiler $<TARGET_FILE:snow-precompile>)
    set(precompiler_dependency snow-precompile)
  elseif(SNOW_PRECOMPILE_EXECUTABLE)
    set(precompiler ${SNOW_PRECOMPILE_EXECUTABLE})
    set(precompiler_dependency ${SNOW_PRECOMPILE_EXECUTABLE})
  else()
    message(FATAL_ERROR "snow_add_migratable_executable(${name}): no snow-precompile; use find_package(SnowMigrate) "
                        "or set SNOW_PRECOMPILE_EXECUTABLE")
  endif()

  # Sources, as absolute paths; headers are not units.
  set(units "")
  set(all_sources "")
  set(source_dirs "")
  foreach(src IN LISTS arg_SOURCES)
    get_filename_component(abs "${src}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    if(NOT EXISTS "${abs}")
      message(FATAL_ERROR "snow_add_migratable_executable(${name}): source '${src}' does not exist (${abs})")
    endif()
    list(APPEND all_sources "${abs}")
    if(abs MATCHES "\\.c$")
      list(APPEND units "${abs}")
      get_filename_component(dir "${abs}" DIRECTORY)
      list(APPEND source_dirs "${dir}")
    endif()
  endforeach()
  list(REMOVE_DUPLICATES source_dirs)
  if(NOT units)
    message(FATAL_ERROR "snow_add_migratable_executable(${name}): no C source (.c) among SOURCES")
  endif()
  if(NOT arg_UNIT_ROOT)
    set(arg_UNIT_ROOT "${CMAKE_CURRENT_SOURCE_DIR}")
  endif()
  get_filename_component(unit_root "${arg_UNIT_ROOT}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")

  # The generated files, named as the precompiler names them: <stem>.snow.c,
  # <stem>.2.snow.c for a second unit of the same stem.
  set(gen_dir "${CMAKE_CURRENT_BINARY_DIR}/${name}.snow")
  file(MAKE_DIRECTORY "${gen_dir}")
  set(report "${gen_dir}/snow-report.json")
  set(generated "")
  set(used_names "")
  foreach(unit IN LISTS units)
    get_filename_component(stem "${unit}" NAME_WLE)
    set(out "${stem}.snow.c")
    set(n 2)
    while(out IN_LIST used_names)
      set(out "${stem}.${n}.snow.c")
      math(EXPR n "${n} + 1")
    endwhile()
    list(APPEND used_names "${out}")
    list(APPEND generated "${gen_dir}/${out}")
  endforeach()

  # The host target exists first so its include directories and definitions
  # (set by the caller at any time) can feed every command below.
  add_executable(${name} ${generated})
  target_include_directories(${name} PRIVATE ${source_dirs})
  target_link_libraries(${name} PRIVATE SnowMigrate::runtime)
  foreach(lib IN LISTS arg_LINK_LIBRARIES)
    target_link_libraries(${name} PRIVATE ${lib})
  endforeach()
  # The generated code is the user's code rewritten: its warnings are the
  # user's, but a build of somebody else's program must not fail on them.
  set_target_properties(${name} PROPERTIES COMPILE_WARNING_AS_ERROR OFF C_EXTENSIONS ON)
  target_compile_options(${name} PRIVATE -Wno-unknown-pragmas -Wno-unused-label)
  # The runtime is C++; linked dynamically, loading and relocating
  # libstdc++.so cost every run about 1.6 million instructions before main -
  # most of the measured overhead of a short program (wordstats: 1.093 of
  # the original's instructions, 1.008 linked statically; docs/performance.md).
  if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_link_options(${name} PRIVATE -static-libstdc++ -static-libgcc)
  endif()

  set(includes "$<TARGET_PROPERTY:${name},INCLUDE_DIRECTORIES>")
  set(definitions "$<TARGET_PROPERTY:${name},COMPILE_DEFINITIONS>")
  set(include_flags "$<$<BOOL:${includes}>:-I$<JOIN:${includes},;-I>>")
  set(definition_flags "$<$<BOOL:${definitions}>:-D$<JOIN:${definitions},;-D>>")

  add_custom_command(
    OUTPUT ${report} ${generated}
    COMMAND ${precompiler} --poll-points ${mode} -o ${gen_dir} --report ${report}
            --unit-root ${unit_root} --depfile ${gen_dir}/precompile.d --program ${name}
            ${units} -- "${include_flags}" "${definition_flags}"
    DEPENDS ${units} ${precompiler_dependency}
    DEPFILE ${gen_dir}/precompile.d
    COMMENT "Precompiling ${name} (${mode} poll-points)"
    COMMAND_EXPAND_LISTS VERBATIM)

  set_target_properties(${name} PROPERTIES SNOW_REPORT "${report}" SNOW_PLATFORMS "${arg_PLATFORMS}"
                                           SNOW_EXECUTABLE_x86_64 "$<TARGET_FILE:${name}>")
  if(NOT "x86_64" IN_LIST arg_PLATFORMS)
    set_target_properties(${name} PROPERTIES EXCLUDE_FROM_ALL ON)
  endif()

  set(executables_json "")
  set(emulators_json "")
  set(sep "")
  foreach(p IN LISTS arg_PLATFORMS)
    if(p STREQUAL "x86_64")
      set(exe "$<TARGET_FILE:${name}>")
    else()
      _snow_cross_executable(${name} ${p} "${generated}" "${include_flags}" "${definition_flags}"
                             "${arg_LINK_LIBRARIES}" exe)
      set_target_properties(${name} PROPERTIES SNOW_EXECUTABLE_${p} "${exe}")
    endif()
    string(APPEND executables_json "${sep}\"${p}\": \"${exe}\"")
    set(emulator_json "")
    set(esep "")
    foreach(word IN LISTS SNOW_PLATFORM_EMULATOR_${p})
      string(APPEND emulator_json "${esep}\"${word}\"")
      set(esep ", ")
    endforeach()
    string(APPEND emulators_json "${sep}\"${p}\": [${emulator_json}]")
    set(sep ", ")
  endforeach()

  set(sources_json "")
  set(sep "")
  foreach(src IN LISTS all_sources)
    string(APPEND sources_json "${sep}\"${src}\"")
    set(sep ", ")
  endforeach()
  set_property(GLOBAL APPEND PROPERTY SNOW_MIGRATABLE_TARGETS_JSON
    "{\"name\": \"${name}\", \"poll_points\": \"${mode}\", \"sources\": [${sources_json}], \"report\": \"${report}\", \"executables\": {${executables_json}}, \"emulators\": {${emulators_json}}}")
  _snow_schedule_manifest()
endfunction()

# Platform p's executable of <name>: each generated unit compiled by p's cross
# compiler, linked with p's runtime. Plain custom commands, so one configure
# of the host tree builds every platform.
function(_snow_cross_executable name p generated include_flags definition_flags libraries out_var)
  set(triple "${SNOW_PLATFORM_TRIPLE_${p}}")
  set(runtime "${SNOW_RUNTIME_LIBRARY_${p}}")
  if(NOT triple OR NOT runtime)
    message(FATAL_ERROR "snow_add_migratable_executable(${name}): platform '${p}' has no cross compiler triple or "
                        "runtime library here (SNOW_PLATFORM_TRIPLE_${p}, SNOW_RUNTIME_LIBRARY_${p})")
  endif()
  find_program(SNOW_C_COMPILER_${p} ${triple}-gcc)
  if(NOT SNOW_C_COMPILER_${p})
    message(FATAL_ERROR "snow_add_migratable_executable(${name}): the ${p} cross compiler '${triple}-gcc' is not "
                        "installed; scripts/setup.sh installs it")
  endif()
  set(flags -std=gnu11 -O2 -g -ffp-contract=off -Wno-unknown-pragmas)
  if(p STREQUAL "i686")
    list(APPEND flags -msse2 -mfpmath=sse)
  endif()
  set(dir "${CMAKE_CURRENT_BINARY_DIR}/${name}.platforms/${p}")
  # Ninja makes an output's directory itself; the Makefile generator does not,
  # and the compiler cannot write its depfile into a missing one.
  file(MAKE_DIRECTORY "${dir}")
  set(objects "")
  foreach(src IN LISTS generated)
    get_filename_component(base "${src}" NAME)
    set(obj "${dir}/${base}.o")
    add_custom_command(
      OUTPUT ${obj}
      COMMAND ${CMAKE_C_COMPILER_LAUNCHER} ${SNOW_C_COMPILER_${p}} ${flags} -I${SNOW_RUNTIME_INCLUDE_DIR}
              "${include_flags}" "${definition_flags}" -MD -MF ${obj}.d -c ${src} -o ${obj}
      DEPENDS ${src}
      DEPFILE ${obj}.d
      COMMENT "Compiling ${base} for ${p}"
      COMMAND_EXPAND_LISTS VERBATIM)
    list(APPEND objects ${obj})
  endforeach()
  set(link_flags "")
  if(p STREQUAL "i686")
    # As in cmake/toolchains/i686.cmake: a dynamically linked i686 program cannot start a
    # thread under Debian 12's qemu-i386, and the message channels need one.
    list(APPEND link_flags -static)
  endif()
  foreach(lib IN LISTS libraries)
    list(APPEND link_flags -l${lib})
  endforeach()
  set(exe "${dir}/${name}")
  # The library file itself, so a relinked runtime relinks the program; inside the superbuild
  # also the sub-build's target, which produces that file (a byproduct of its build step).
  set(runtime_dependency ${runtime})
  if(TARGET snow-platform-${p})
    list(APPEND runtime_dependency snow-platform-${p})
  endif()
  add_custom_command(
    OUTPUT ${exe}
    COMMAND ${SNOW_C_COMPILER_${p}} ${flags} ${objects} ${runtime} ${link_flags} -lstdc++ -lm -pthread -o ${exe}
    DEPENDS ${objects} ${runtime_dependency}
    COMMENT "Linking ${name} for ${p}"
    VERBATIM)
  add_custom_target(${name}-${p} ALL DEPENDS ${exe})
  set(${out_var} "${exe}" PARENT_SCOPE)
endfunction()

# The manifest is written once, when the whole tree has been configured.
function(_snow_schedule_manifest)
  get_property(scheduled GLOBAL PROPERTY SNOW_MANIFEST_SCHEDULED)
  if(scheduled)
    return()
  endif()
  set_property(GLOBAL PROPERTY SNOW_MANIFEST_SCHEDULED TRUE)
  cmake_language(DEFER DIRECTORY "${CMAKE_SOURCE_DIR}" CALL _snow_write_manifest)
endfunction()

function(_snow_write_manifest)
  get_property(entries GLOBAL PROPERTY SNOW_MIGRATABLE_TARGETS_JSON)
  set(content "{\"version\": 1, \"targets\": [\n")
  set(sep "")
  foreach(entry IN LISTS entries)
    string(APPEND content "${sep}  ${entry}")
    set(sep ",\n")
  endforeach()
  string(APPEND content "\n]}\n")
  file(GENERATE OUTPUT "${CMAKE_BINARY_DIR}/snow-migratable-targets.json" CONTENT "${content}")
endfunction()
