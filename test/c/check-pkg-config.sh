#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs the build into BUILD_DIR/pkg-config-check/prefix and checks what its mapistore-mgmt.pc
# gives: --cflags only the header's include directory (no flags of libzmq's own dependencies),
# --libs only the library, --static --libs also libzmq. LIBDIR and INCLUDEDIR are the build's
# CMAKE_INSTALL_LIBDIR and CMAKE_INSTALL_INCLUDEDIR.
set -eu
build_dir=$1
libdir=$2
includedir=$3
prefix=$build_dir/pkg-config-check/prefix

rm -rf "$prefix"
cmake --install "$build_dir" --prefix "$prefix" >/dev/null
export PKG_CONFIG_PATH="$prefix/$libdir/pkgconfig"

expect() {
	actual=$(pkg-config "$@" mapistore-mgmt | sed 's/ *$//')
	if [ "$actual" != "$want" ]; then
		echo "pkg-config $*: got '$actual', want '$want'" >&2
		exit 1
	fi
	echo "pkg-config $*: $actual"
}
want="-I$prefix/$includedir"
expect --cflags
want="-L$prefix/$libdir -lmapistore-mgmt"
expect --libs
want="-L$prefix/$libdir -lmapistore-mgmt -lzmq -pthread"
expect --static --libs
