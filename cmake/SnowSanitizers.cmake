# Sanitizers for the host build (the `asan` preset): AddressSanitizer and
# UndefinedBehaviorSanitizer on the runtime, snowd, the scheduler, the CLI, the
# samples and every test program.
#
#   SNOW_SANITIZE   sanitizers for -fsanitize=, e.g. "address;undefined";
#                   empty (the default) builds without any
#
# snow_enable_sanitizers() adds the flags to every C and C++ target defined
# after it in the calling directory and below, so the top CMakeLists.txt calls
# it after the precompiler: snow-precompile is a Clang tool linked to LLVM's
# libraries, outside what the sanitizers are for here, and instrumenting it
# only slows down every precompiled build. Every UBSan report is fatal
# (-fno-sanitize-recover=undefined): a finding fails its test instead of
# scrolling past in the log.
#
# The test environment (ASAN_OPTIONS, UBSAN_OPTIONS) is the asan test
# preset's, in CMakePresets.json, so that it also reaches the processes tests
# start (snowd, the scheduler, migrated programs) and the tests gtest discovers.
#
# SNOW_RUNTIME_LINK_OPTIONS holds what a program linked to an instrumented
# snow-runtime must link with: the package configuration hands it on to other
# projects (cmake.module), and scripts that link the runtime themselves
# (csmith.robustness) get it on their command line.

include_guard(GLOBAL)

set(SNOW_SANITIZE "" CACHE STRING "Sanitizers for the host build, as -fsanitize= takes them (e.g. address;undefined)")

# snow_sanitizer_link_options(<out>): what a program linking snow-runtime needs.
function(snow_sanitizer_link_options out)
  set(options "")
  if(SNOW_SANITIZE)
    string(REPLACE ";" "," sanitizers "${SNOW_SANITIZE}")
    set(options -fsanitize=${sanitizers})
  endif()
  set(${out} "${options}" PARENT_SCOPE)
endfunction()

macro(snow_enable_sanitizers)
  snow_sanitizer_link_options(SNOW_RUNTIME_LINK_OPTIONS)
  if(SNOW_SANITIZE)
    if(NOT SNOW_IS_HOST_BUILD OR SNOW_CROSS_PLATFORMS)
      message(FATAL_ERROR "SNOW_SANITIZE is for a host-only build (SNOW_CROSS_PLATFORMS empty): "
                          "the cross platforms run under qemu, which the sanitizers do not support")
    endif()
    string(REPLACE ";" "," _snow_sanitizers "${SNOW_SANITIZE}")
    add_compile_options("$<$<COMPILE_LANGUAGE:C,CXX>:-fsanitize=${_snow_sanitizers};-fno-omit-frame-pointer>")
    if("undefined" IN_LIST SNOW_SANITIZE)
      add_compile_options("$<$<COMPILE_LANGUAGE:C,CXX>:-fno-sanitize-recover=undefined>")
    endif()
    add_link_options(${SNOW_RUNTIME_LINK_OPTIONS})
    message(STATUS "Sanitizers: ${_snow_sanitizers}")
    unset(_snow_sanitizers)
  endif()
endmacro()
