#!/bin/sh
# Print the path of a Python >= 3.12 interpreter: first on PATH, then pyenv's versions.
# Exits 1 with one clear line when there is none. pyenv shims for versions that are not
# active fail when run, so every candidate is actually executed, never just found.
check() {
    "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1
}
for cand in python3.14 python3.13 python3.12 python3 python; do
    path=$(command -v "$cand" 2>/dev/null) || continue
    if check "$path"; then echo "$path"; exit 0; fi
done
root="${PYENV_ROOT:-$HOME/.pyenv}"
# A glob, not ls/sort: the script must work with nothing but a shell on PATH.
for path in "$root"/versions/3.1[2-9]*/bin/python3 "$root"/versions/3.[2-9][0-9]*/bin/python3; do
    [ -x "$path" ] || continue
    if check "$path"; then echo "$path"; exit 0; fi
done
echo "error: no Python >= 3.12 found on PATH or in $root/versions; install one (e.g. 'pyenv install 3.12')." >&2
exit 1
