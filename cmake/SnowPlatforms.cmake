#[=======================================================================[
SnowPlatforms — which platform this build tree is for, and what it knows about the others
==========================================================================================

The superbuild configures this one source tree several times: the *top build* runs on the
x86-64 host and builds the host tools; for each cross platform it starts a *sub-build* of the
same tree with that platform's toolchain (cmake/toolchains/<p>.cmake) in
``<top>/platforms/<p>``. Sub-builds build only the runtime library and its tests.

Platform names: ``x86_64 s390x ppc i686 armhf``.

Variables provided to the rest of the tree
------------------------------------------

``SNOW_PLATFORM``
  The platform this build tree compiles for (cache variable). ``x86_64`` in the top build.

``SNOW_IS_HOST_BUILD``
  TRUE in the top build, FALSE in a platform sub-build. Guard host-only parts with it
  (host tools, GUI, benchmarks, tests that drive several platforms).

``SNOW_ALL_PLATFORMS``
  ``x86_64`` followed by ``SNOW_CROSS_PLATFORMS`` (cache variable, default
  ``s390x;ppc;i686;armhf``; empty for a host-only build). Same value in every build tree.

``SNOW_PLATFORM_EMULATOR_<p>``
  For every p in ``SNOW_ALL_PLATFORMS``: the command prefix that runs a binary of platform p
  on the host, as a list (``qemu-s390x;-L;/usr/s390x-linux-gnu``); empty for ``x86_64``.
  Same value in every build tree; a sub-build's ``CMAKE_CROSSCOMPILING_EMULATOR`` equals its own.

``SNOW_PLATFORM_BINARY_DIR_<p>``
  In the top build, for every p in ``SNOW_ALL_PLATFORMS``: the build tree of platform p
  (``CMAKE_BINARY_DIR`` itself for ``x86_64``, ``${CMAKE_BINARY_DIR}/platforms/<p>`` otherwise).
  A sub-build defines it only for its own platform.

Targets (top build only)
------------------------

``snow-platform-<p>``
  Builds platform p's sub-build (an ExternalProject, always re-run so edits are picked up).
  Depend on it when a host-side target or test needs platform p's binaries. For uniform
  loops over ``SNOW_ALL_PLATFORMS``, ``snow-platform-x86_64`` exists too and does nothing:
  the top build itself is the x86_64 build.

Files (top build only)
----------------------

``<build>/snow-platforms.sh``
  ``SNOW_ALL_PLATFORMS`` and the per-platform variables above as bash variables (arrays for
  lists), for scripts that run every platform's binaries (scripts/demo.sh).

Tests (top build only)
----------------------

``platform.<p>``
  Runs platform p's whole CTest suite (under qemu), so one ``ctest`` in the top build tests
  every platform.
#]=======================================================================]

include_guard(GLOBAL)

option(SNOW_SUPERBUILD
       "Top build: host tools plus one sub-build per cross platform (OFF in sub-builds)" ON)
set(SNOW_CROSS_PLATFORMS "s390x;ppc;i686;armhf"
    CACHE STRING "Cross platforms the superbuild builds and tests under qemu (empty: host only)")

# One row of the platform table; the emulator runs the binaries against the cross sysroot.
macro(_snow_platform platform triple qemu pointer_size byte_order)
  list(APPEND _SNOW_KNOWN_PLATFORMS ${platform})
  set(_SNOW_TRIPLE_${platform} ${triple})
  set(_SNOW_POINTER_SIZE_${platform} ${pointer_size})
  set(_SNOW_BYTE_ORDER_${platform} ${byte_order})
  if("${qemu}" STREQUAL "none")
    set(SNOW_PLATFORM_EMULATOR_${platform} "")
  else()
    set(SNOW_PLATFORM_EMULATOR_${platform} ${qemu} -L /usr/${triple})
  endif()
endmacro()

# The data model is checked against what each compiler reports, so a wrong or misconfigured
# toolchain fails at configure time instead of producing different memory layouts later.
set(_SNOW_KNOWN_PLATFORMS "")
#              platform triple              emulator   pointer byte order
_snow_platform(x86_64   x86_64-linux-gnu    none       8       LITTLE_ENDIAN)
_snow_platform(s390x    s390x-linux-gnu     qemu-s390x 8       BIG_ENDIAN)
_snow_platform(ppc      powerpc-linux-gnu   qemu-ppc   4       BIG_ENDIAN)
_snow_platform(i686     i686-linux-gnu      qemu-i386  4       LITTLE_ENDIAN)
_snow_platform(armhf    arm-linux-gnueabihf qemu-arm   4       LITTLE_ENDIAN)

function(_snow_require_known_platform platform what)
  if(NOT platform IN_LIST _SNOW_KNOWN_PLATFORMS)
    message(FATAL_ERROR "${what} names an unknown platform '${platform}'; "
                        "known platforms: ${_SNOW_KNOWN_PLATFORMS}")
  endif()
endfunction()

# The top build runs on the host; only x86-64 hosts are supported.
function(_snow_select_host_platform)
  if(CMAKE_CROSSCOMPILING)
    message(FATAL_ERROR "The top build compiles for the host; do not give it a toolchain file. "
                        "Cross platforms are sub-builds: list them in SNOW_CROSS_PLATFORMS.")
  endif()
  if(NOT CMAKE_HOST_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
    message(FATAL_ERROR "SnowMigrate's superbuild needs an x86-64 host "
                        "(this host is '${CMAKE_HOST_SYSTEM_PROCESSOR}'): its cross "
                        "toolchains and qemu setup are those of Debian on amd64.")
  endif()
  set(SNOW_PLATFORM x86_64 CACHE STRING "Platform this build tree compiles for")
  if(NOT SNOW_PLATFORM STREQUAL "x86_64")
    message(FATAL_ERROR "SNOW_PLATFORM is '${SNOW_PLATFORM}', but the top build is always "
                        "x86_64; cross platforms are sub-builds (SNOW_CROSS_PLATFORMS).")
  endif()
endfunction()

# A platform sub-build: SNOW_PLATFORM and the toolchain come from the superbuild.
function(_snow_check_platform_build)
  if(NOT SNOW_PLATFORM)
    message(FATAL_ERROR "SNOW_SUPERBUILD=OFF needs -DSNOW_PLATFORM=<p> and that platform's "
                        "toolchain file (cmake/toolchains/<p>.cmake).")
  endif()
  _snow_require_known_platform("${SNOW_PLATFORM}" "SNOW_PLATFORM")
  if(NOT SNOW_PLATFORM STREQUAL "x86_64" AND NOT CMAKE_CROSSCOMPILING)
    message(FATAL_ERROR "SNOW_PLATFORM=${SNOW_PLATFORM} needs "
                        "-DCMAKE_TOOLCHAIN_FILE=${PROJECT_SOURCE_DIR}/cmake/toolchains/"
                        "${SNOW_PLATFORM}.cmake")
  endif()
  if(NOT "${CMAKE_CROSSCOMPILING_EMULATOR}" STREQUAL "${SNOW_PLATFORM_EMULATOR_${SNOW_PLATFORM}}")
    message(FATAL_ERROR "The toolchain's emulator '${CMAKE_CROSSCOMPILING_EMULATOR}' differs "
                        "from the platform table's '${SNOW_PLATFORM_EMULATOR_${SNOW_PLATFORM}}' "
                        "for ${SNOW_PLATFORM}; update both together.")
  endif()
endfunction()

# The compiler must produce the platform's data model (word size, byte order).
function(_snow_check_data_model)
  set(p ${SNOW_PLATFORM})
  set(expected "${_SNOW_POINTER_SIZE_${p}}-byte pointers, ${_SNOW_BYTE_ORDER_${p}}")
  foreach(lang IN ITEMS C CXX)
    set(actual "${CMAKE_SIZEOF_VOID_P}-byte pointers, ${CMAKE_${lang}_BYTE_ORDER}")
    if(NOT actual STREQUAL expected)
      message(FATAL_ERROR "The ${lang} compiler ${CMAKE_${lang}_COMPILER} produces ${actual}; "
                          "platform ${p} has ${expected}.")
    endif()
  endforeach()
endfunction()

if(SNOW_SUPERBUILD)
  _snow_select_host_platform()
  set(SNOW_IS_HOST_BUILD TRUE)
else()
  _snow_check_platform_build()
  set(SNOW_IS_HOST_BUILD FALSE)
endif()
_snow_check_data_model()

set(SNOW_ALL_PLATFORMS x86_64)
foreach(_snow_p IN LISTS SNOW_CROSS_PLATFORMS)
  _snow_require_known_platform("${_snow_p}" "SNOW_CROSS_PLATFORMS")
  if(_snow_p STREQUAL "x86_64")
    message(FATAL_ERROR "SNOW_CROSS_PLATFORMS lists x86_64, which is the top build itself.")
  elseif(_snow_p IN_LIST SNOW_ALL_PLATFORMS)
    message(FATAL_ERROR "SNOW_CROSS_PLATFORMS lists ${_snow_p} twice: '${SNOW_CROSS_PLATFORMS}'")
  endif()
  list(APPEND SNOW_ALL_PLATFORMS ${_snow_p})
endforeach()

if(SNOW_IS_HOST_BUILD)
  set(SNOW_PLATFORM_BINARY_DIR_x86_64 "${CMAKE_BINARY_DIR}")
  foreach(_snow_p IN LISTS SNOW_CROSS_PLATFORMS)
    set(SNOW_PLATFORM_BINARY_DIR_${_snow_p} "${CMAKE_BINARY_DIR}/platforms/${_snow_p}")
  endforeach()
else()
  set(SNOW_PLATFORM_BINARY_DIR_${SNOW_PLATFORM} "${CMAKE_BINARY_DIR}")
endif()
unset(_snow_p)

if(SNOW_IS_HOST_BUILD)
  if(SNOW_CROSS_PLATFORMS)
    message(STATUS "SnowMigrate: host build (x86_64) + sub-builds for ${SNOW_CROSS_PLATFORMS}")
  else()
    message(STATUS "SnowMigrate: host build (x86_64) only; no cross platforms")
  endif()
else()
  message(STATUS "SnowMigrate: ${SNOW_PLATFORM} sub-build")
endif()
