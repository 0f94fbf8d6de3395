#!/usr/bin/env bash
# Fake graft for testing bench/: `emit-c [flags] FILE.c -o OUT` copies FILE.c to OUT.
set -euo pipefail
[ "${1:-}" = emit-c ] || { echo "fakegraft: only emit-c" >&2; exit 2; }
shift
out= src=
while [ $# -gt 0 ]; do
    case $1 in
        -o) out=$2; shift 2 ;;
        -o*) out=${1#-o}; shift ;;
        -I|-D|-U|-include|-isystem) shift 2 ;;
        -*) shift ;;
        *.c) src=$1; shift ;;
        *) shift ;;
    esac
done
[ -n "$src" ] && [ -n "$out" ] || { echo "fakegraft: usage: emit-c [flags] FILE.c -o OUT" >&2; exit 2; }
cp -- "$src" "$out"
