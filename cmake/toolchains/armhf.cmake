# Toolchain for the SnowMigrate platform "armhf": Debian's arm-linux-gnueabihf cross compiler,
# run under qemu user-mode emulation against the cross sysroot /usr/arm-linux-gnueabihf.
#
# Used by the superbuild for the "armhf" sub-build; also usable on its own:
#   cmake -S . -B build/armhf -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/armhf.cmake \
#         -DSNOW_PLATFORM=armhf -DSNOW_SUPERBUILD=OFF
# Packages: g++-arm-linux-gnueabihf qemu-user (scripts/setup.sh installs both).

set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR arm)

set(CMAKE_C_COMPILER arm-linux-gnueabihf-gcc)
set(CMAKE_CXX_COMPILER arm-linux-gnueabihf-g++)

# GCC notes on every std::vector<T>::iterator argument that its ARM parameter passing changed
# in GCC 7.1. Everything here is built by one GCC, so the note is noise.
set(CMAKE_CXX_FLAGS_INIT "-Wno-psabi")

# Headers and libraries come from the target sysroot only; build tools from the host.
set(CMAKE_FIND_ROOT_PATH /usr/arm-linux-gnueabihf)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# A list: CTest, gtest_discover_tests and add_custom_command prepend it to target binaries.
# -L points qemu's dynamic loader at the sysroot's ld.so, libc and libstdc++.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-arm -L /usr/arm-linux-gnueabihf)
