# GoogleTest for every build tree, compiled from Debian's sources (package googletest) with
# this tree's compiler: Debian ships GoogleTest binaries for the host only, and a C++ test
# library must come from the same compiler and standard library as the tests anyway.

include_guard(GLOBAL)

set(SNOW_GOOGLETEST_SOURCE_DIR /usr/src/googletest
    CACHE PATH "GoogleTest sources, built into every build tree")

# Provides GTest::gtest, GTest::gtest_main, GTest::gmock and GTest::gmock_main. Built only
# when something links them (EXCLUDE_FROM_ALL), never installed.
function(snow_add_googletest)
  if(NOT EXISTS "${SNOW_GOOGLETEST_SOURCE_DIR}/CMakeLists.txt")
    message(FATAL_ERROR "No GoogleTest sources in ${SNOW_GOOGLETEST_SOURCE_DIR}; "
                        "run scripts/setup.sh (Debian package googletest).")
  endif()

  # Function scope: these reach googletest's option()s (it sets CMP0077 NEW), not our cache.
  set(INSTALL_GTEST OFF)
  set(BUILD_GMOCK ON)
  # SYSTEM: its headers are system headers for our tests, so they never trip our warnings.
  add_subdirectory("${SNOW_GOOGLETEST_SOURCE_DIR}" "${CMAKE_BINARY_DIR}/googletest"
                   EXCLUDE_FROM_ALL SYSTEM)

  foreach(target IN ITEMS gtest gtest_main gmock gmock_main)
    # Third-party code: its warnings are not ours to fix, and must not fail a -Werror build.
    set_target_properties(${target} PROPERTIES COMPILE_WARNING_AS_ERROR OFF)
    target_compile_options(${target} PRIVATE -w)
    # GoogleTest 1.12 (Debian 12) defines only the plain names; newer releases the aliases.
    if(NOT TARGET GTest::${target})
      add_library(GTest::${target} ALIAS ${target})
    endif()
  endforeach()
endfunction()
