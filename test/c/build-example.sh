#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs the build into BUILD_DIR/examples/sogo-like-backend/prefix and builds the SOGo-like
# example there from SOURCE_DIR/examples/sogo-like-backend with its Makefile and pkg-config
# alone, as a backend author would. The program is left at
# BUILD_DIR/examples/sogo-like-backend/sogo-like-backend. Extra compiler flags (a sanitizer
# build's) may follow.
set -eu
build_dir=$1
source_dir=$2
shift 2
flags="$*"
out=$build_dir/examples/sogo-like-backend
prefix=$out/prefix

rm -rf "$prefix"
mkdir -p "$out"
cmake --install "$build_dir" --prefix "$prefix" >/dev/null
PKG_CONFIG_PATH=$prefix/lib/pkgconfig make --no-print-directory -B \
	-C "$source_dir/examples/sogo-like-backend" OUT="$out" \
	CFLAGS="-O2 -g $flags" LDFLAGS="$flags"
test -x "$out/sogo-like-backend"
test -x "$out/sogo-like-server"
echo "built $out/sogo-like-backend against $prefix"
