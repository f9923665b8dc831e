# Cross build for the Raspberry Pi (Raspberry Pi OS / Debian bookworm, 64-bit) with Debian's cross
# toolchain (crossbuild-essential-arm64) against a PRIVATE sysroot: the arm64 -dev packages unpacked
# with dpkg -x into AIRFLEET_ARM64_SYSROOT (tools/scripts/arm64.sh makes it), so the build machine's
# own packages are never changed. Tests run under qemu-user with the sysroot as the library root.
#
#   cmake -S . -B build-arm64 -G Ninja -DAIRFLEET_AGENT_ONLY=ON \
#     -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-aarch64-linux-gnu.cmake -DAIRFLEET_ARM64_SYSROOT=DIR
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)

# try_compile projects re-read this file without the cache: hand the sysroot on.
if(NOT AIRFLEET_ARM64_SYSROOT AND DEFINED ENV{AIRFLEET_ARM64_SYSROOT})
  set(AIRFLEET_ARM64_SYSROOT "$ENV{AIRFLEET_ARM64_SYSROOT}")
endif()
if(NOT AIRFLEET_ARM64_SYSROOT OR NOT EXISTS "${AIRFLEET_ARM64_SYSROOT}/usr/include")
  message(FATAL_ERROR "AIRFLEET_ARM64_SYSROOT='${AIRFLEET_ARM64_SYSROOT}' is not a sysroot; "
                      "tools/scripts/arm64.sh makes one")
endif()
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES AIRFLEET_ARM64_SYSROOT)
set(CMAKE_SYSROOT "${AIRFLEET_ARM64_SYSROOT}")

# Libraries, headers and CMake packages only from the sysroot; programs (protoc, grpc_cpp_plugin:
# generated code is the same for every architecture) from the build machine.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# The host's pkg-config reading only the sysroot's .pc files, with the sysroot prefixed to -I/-L.
set(ENV{PKG_CONFIG_SYSROOT_DIR} "${CMAKE_SYSROOT}")
set(ENV{PKG_CONFIG_LIBDIR}
    "${CMAKE_SYSROOT}/usr/lib/aarch64-linux-gnu/pkgconfig:${CMAKE_SYSROOT}/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")

# ctest and gtest discovery run the arm64 binaries under qemu-user. -L: the dynamic loader and
# every library come from the sysroot, which holds its own libc6:arm64 (not mixed with the cross
# toolchain's libc under /usr/aarch64-linux-gnu).
find_program(AIRFLEET_QEMU_AARCH64 NAMES qemu-aarch64-static qemu-aarch64 REQUIRED)
set(CMAKE_CROSSCOMPILING_EMULATOR "${AIRFLEET_QEMU_AARCH64};-L;${CMAKE_SYSROOT}")
