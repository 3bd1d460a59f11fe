# Toolchain for the SnowMigrate platform "i686": Debian's i686-linux-gnu cross compiler,
# run under qemu user-mode emulation against the cross sysroot /usr/i686-linux-gnu.
#
# Used by the superbuild for the "i686" sub-build; also usable on its own:
#   cmake -S . -B build/i686 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/i686.cmake \
#         -DSNOW_PLATFORM=i686 -DSNOW_SUPERBUILD=OFF
# Packages: g++-i686-linux-gnu qemu-user (scripts/setup.sh installs both).

set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR i686)

set(CMAKE_C_COMPILER i686-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER i686-linux-gnu-g++)

# i686 would otherwise compute in 80-bit x87 registers; SSE2 arithmetic rounds every
# operation to its declared type, so results match the other platforms bit for bit
# (README.md, "Platforms"). -ffp-contract=off comes from the project itself.
set(CMAKE_C_FLAGS_INIT "-msse2 -mfpmath=sse")
set(CMAKE_CXX_FLAGS_INIT "-msse2 -mfpmath=sse")

# Statically linked: Debian 12's qemu-i386 (7.2) hangs in glibc's pthread_create of a
# dynamically linked i686 program (it spins in allocate_stack's stack-cache walk), and the
# runtime's message channels have a service thread. Static programs start threads fine.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")

# Headers and libraries come from the target sysroot only; build tools from the host.
set(CMAKE_FIND_ROOT_PATH /usr/i686-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# A list: CTest, gtest_discover_tests and add_custom_command prepend it to target binaries.
# -L points qemu's dynamic loader at the sysroot's ld.so, libc and libstdc++.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-i386 -L /usr/i686-linux-gnu)
