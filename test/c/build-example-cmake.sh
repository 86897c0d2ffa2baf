#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs the build into BUILD_DIR/examples/sogo-like-backend-cmake/prefix and builds the
# SOGo-like example there from SOURCE_DIR/examples/sogo-like-backend with its CMakeLists.txt,
# which finds the library with find_package(mapistore-mgmt), as a CMake-based backend would.
# The program is left at BUILD_DIR/examples/sogo-like-backend-cmake/sogo-like-backend.
# GENERATOR and C_COMPILER are the outer build's; extra compiler flags (a sanitizer build's)
# may follow.
set -eu
build_dir=$1
source_dir=$2
generator=$3
c_compiler=$4
shift 4
flags="$*"
out=$build_dir/examples/sogo-like-backend-cmake
prefix=$out/prefix

rm -rf "$out"
mkdir -p "$out"
cmake --install "$build_dir" --prefix "$prefix" >/dev/null
cmake -S "$source_dir/examples/sogo-like-backend" -B "$out/build" -G "$generator" \
	-DCMAKE_C_COMPILER="$c_compiler" -DCMAKE_PREFIX_PATH="$prefix" \
	-DCMAKE_C_FLAGS="-O2 -g $flags" -DCMAKE_EXE_LINKER_FLAGS="$flags" \
	-DCMAKE_RUNTIME_OUTPUT_DIRECTORY="$out" >/dev/null
cmake --build "$out/build"
test -x "$out/sogo-like-backend"
test -x "$out/sogo-like-server"
echo "built $out/sogo-like-backend against $prefix with find_package(mapistore-mgmt)"
