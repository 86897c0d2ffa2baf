#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The shared library exports exactly the functions of the public header: compares the defined
# dynamic symbols of LIBRARY with the list in EXPECTED.
set -eu
library=$1
expected=$2
actual=$(nm -D --defined-only "$library" | awk '{ print $3 }' | sort)
if [ "$actual" != "$(sort "$expected")" ]; then
	echo "exported symbols of $library differ from $expected:" >&2
	printf '%s\n' "$actual" | diff "$expected" - >&2 || true
	exit 1
fi
echo "exports exactly the $(wc -l < "$expected") public functions"
