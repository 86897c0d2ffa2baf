#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# mapistore-mgmt-send(1) names every counter its `stats` step prints (the italic names after
# "a JSON object with" in OUTPUT), and every MAPISTORE_MGMT_* variable the library's
# configuration reads (config.c) in ENVIRONMENT, so that neither list can fall behind.
set -eu
tool=$1
page=$2
config_c=$3

printed=$(MAPISTORE_MGMT_LINGER_MS=0 "$tool" --endpoint=ipc:///nonexistent-mm-check/notify.sock \
	stats 2>/dev/null | sed -n 's/^stats //p' | grep -oE '"[a-z_]+":' | tr -d '":' | sort)
listed=$(sed -n '/^\.SH OUTPUT/,/^\.SH /p' "$page" | sed -n '/a JSON object with/,/^\.PP/p' |
	sed -n 's/^\.IR* \([a-z_]*\).*/\1/p' | sort)
if [ -z "$printed" ] || [ "$printed" != "$listed" ]; then
	echo "the stats fields of $page differ from what $tool prints:" >&2
	printf 'printed: %s\n' $printed >&2
	printf 'listed:  %s\n' $listed >&2
	exit 1
fi

read_vars=$(grep -oE '"MAPISTORE_MGMT_[A-Z_]+"' "$config_c" | tr -d '"' | sort -u)
missing=0
for var in $read_vars; do
	if ! sed -n '/^\.SH ENVIRONMENT/,/^\.SH /p' "$page" | grep -q "^\.B $var\$"; then
		echo "$page: $var is missing from ENVIRONMENT" >&2
		missing=1
	fi
done
[ "$missing" = 0 ] || exit 1
echo "$page lists the" $(echo "$printed" | wc -l) "stats fields and the" \
	$(echo "$read_vars" | wc -l) "variables the library reads"
