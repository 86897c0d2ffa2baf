#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# libmapistore-mgmt(3) names every function the library exports (the list the exported_symbols
# test checks the library against), in its NAME section and in its SYNOPSIS.
set -eu
page=$1
functions=$2

missing=0
for function in $(cat "$functions"); do
	for section in NAME SYNOPSIS; do
		if ! sed -n "/^\.SH $section\$/,/^\.SH /p" "$page" | grep -q "\\b$function\\b"; then
			echo "$page: $function is missing from $section" >&2
			missing=1
		fi
	done
done
[ "$missing" = 0 ] || exit 1
echo "$page names the $(wc -l < "$functions") exported functions"
