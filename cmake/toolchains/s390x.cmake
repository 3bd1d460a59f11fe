# Toolchain for the SnowMigrate platform "s390x": Debian's s390x-linux-gnu cross compiler,
# run under qemu user-mode emulation against the cross sysroot /usr/s390x-linux-gnu.
#
# Used by the superbuild for the "s390x" sub-build; also usable on its own:
#   cmake -S . -B build/s390x -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/s390x.cmake \
#         -DSNOW_PLATFORM=s390x -DSNOW_SUPERBUILD=OFF
# Packages: g++-s390x-linux-gnu qemu-user (scripts/setup.sh installs both).

set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR s390x)

set(CMAKE_C_COMPILER s390x-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER s390x-linux-gnu-g++)

# Headers and libraries come from the target sysroot only; build tools from the host.
set(CMAKE_FIND_ROOT_PATH /usr/s390x-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# A list: CTest, gtest_discover_tests and add_custom_command prepend it to target binaries.
# -L points qemu's dynamic loader at the sysroot's ld.so, libc and libstdc++.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-s390x -L /usr/s390x-linux-gnu)
