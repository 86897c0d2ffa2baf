#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The options mapistore-mgmt-send(1) describes are exactly those `mapistore-mgmt-send --help`
# lists, so the two cannot drift. Compares the tags of the page's OPTIONS section (the line
# after each .TP) with the option column of the help's "Options" block.
set -eu
tool=$1
page=$2

# Every -x and --name in the text read from stdin, one per line, sorted.
option_names() {
	grep -oE -- '(^|[^[:alnum:]-])--?[[:alpha:]][[:alnum:]-]*' | sed 's/^[^-]*//' | sort -u
}

help_options=$("$tool" --help | sed -n '/^Options/,/^$/{s/^  //p}' | sed 's/  .*//' | option_names)
page_options=$(sed -n '/^\.SH OPTIONS/,/^\.SH /{/^\.TP/{n;p}}' "$page" | sed 's/\\-/-/g' |
	option_names)

if [ -z "$help_options" ] || [ "$help_options" != "$page_options" ]; then
	echo "the options of $page differ from $tool --help:" >&2
	printf 'help: %s\n' $help_options >&2
	printf 'page: %s\n' $page_options >&2
	exit 1
fi
echo "$page and --help list the same options:" $help_options
