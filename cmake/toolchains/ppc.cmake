# Toolchain for the SnowMigrate platform "ppc": Debian's powerpc-linux-gnu cross compiler,
# run under qemu user-mode emulation against the cross sysroot /usr/powerpc-linux-gnu.
#
# Used by the superbuild for the "ppc" sub-build; also usable on its own:
#   cmake -S . -B build/ppc -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/ppc.cmake \
#         -DSNOW_PLATFORM=ppc -DSNOW_SUPERBUILD=OFF
# Packages: g++-powerpc-linux-gnu qemu-user (scripts/setup.sh installs both).

set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR powerpc)

set(CMAKE_C_COMPILER powerpc-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER powerpc-linux-gnu-g++)

# Headers and libraries come from the target sysroot only; build tools from the host.
set(CMAKE_FIND_ROOT_PATH /usr/powerpc-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# A list: CTest, gtest_discover_tests and add_custom_command prepend it to target binaries.
# -L points qemu's dynamic loader at the sysroot's ld.so, libc and libstdc++.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-ppc -L /usr/powerpc-linux-gnu)
