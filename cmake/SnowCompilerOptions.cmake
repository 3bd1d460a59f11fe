# Language standards, floating point, warnings and ccache: the same in every build tree, so
# the five platforms compile the same program.

include_guard(GLOBAL)

option(SNOW_WARNINGS_AS_ERRORS "Treat compiler warnings as errors (ON in the ci preset)" OFF)
option(SNOW_USE_CCACHE "Compile through ccache when it is installed" ON)

if(NOT CMAKE_C_COMPILER_ID MATCHES "GNU|Clang" OR NOT CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  message(FATAL_ERROR "SnowMigrate builds with GCC or Clang (found C: ${CMAKE_C_COMPILER_ID}, "
                      "C++: ${CMAKE_CXX_COMPILER_ID}).")
endif()

get_property(_snow_multi_config GLOBAL PROPERTY GENERATOR_IS_MULTI_CONFIG)
if(NOT _snow_multi_config AND NOT CMAKE_BUILD_TYPE)
  set(CMAKE_BUILD_TYPE RelWithDebInfo CACHE STRING "Build type" FORCE)
endif()
unset(_snow_multi_config)

set(CMAKE_C_STANDARD 11)
set(CMAKE_C_STANDARD_REQUIRED ON)
# gnu11: POSIX and GNU declarations without feature-test macros. Floating-point consistency
# comes from -ffp-contract=off below, not from ISO mode.
set(CMAKE_C_EXTENSIONS ON)
set(CMAKE_CXX_STANDARD 17)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
set(CMAKE_CXX_EXTENSIONS OFF)

# IEEE-consistent floating point on every platform: without this GCC fuses a*b+c into one
# multiply-add on s390x and powerpc, and results differ in the last bits from x86-64. A test
# that demands a migrated run equal an unmigrated one bit for bit depends on it.
# (i686 additionally needs SSE2 arithmetic, which its toolchain file sets.)
add_compile_options("$<$<COMPILE_LANGUAGE:C,CXX>:-ffp-contract=off>")

add_compile_options("$<$<COMPILE_LANGUAGE:C,CXX>:-Wall;-Wextra>")
# Initializes every target's COMPILE_WARNING_AS_ERROR (-Werror); third-party targets opt out.
set(CMAKE_COMPILE_WARNING_AS_ERROR ${SNOW_WARNINGS_AS_ERRORS})

# A launcher given by the user (or passed down by the superbuild) wins.
if(SNOW_USE_CCACHE AND NOT CMAKE_C_COMPILER_LAUNCHER AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  find_program(SNOW_CCACHE_PROGRAM ccache)
  if(SNOW_CCACHE_PROGRAM)
    set(CMAKE_C_COMPILER_LAUNCHER "${SNOW_CCACHE_PROGRAM}")
    set(CMAKE_CXX_COMPILER_LAUNCHER "${SNOW_CCACHE_PROGRAM}")
  endif()
endif()
