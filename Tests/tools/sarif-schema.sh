#!/bin/bash
# The official SARIF 2.1.0 JSON schema (OASIS, sarif-schema-2.1.0.json), for
# validating `graft check --format sarif` in the tests. It comes from PyPI:
# the source distribution of sarif-pydantic 0.6.2 ships the schema file
# unchanged. Cached in $GRAFT_TEST_CACHE (default ~/.cache/graft-tests);
# checked by its $id and its SHA-256. Also makes sure Python's jsonschema
# is importable. Prints the schema's path.
set -euo pipefail
cache="${GRAFT_TEST_CACHE:-$HOME/.cache/graft-tests}"
schema="$cache/sarif-schema-2.1.0.json"
sha=6352a05f9d03f181b8d9c71a46bdacc4fcff9d8ade5364858b425ba0c0994ed7
if [ ! -f "$schema" ] || [ "$(sha256sum "$schema" | cut -d' ' -f1)" != "$sha" ]; then
    mkdir -p "$cache"
    tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
    python3 -m pip download -q --no-deps --no-binary :all: sarif-pydantic==0.6.2 -d "$tmp" >&2
    tar xzf "$tmp"/sarif_pydantic-0.6.2.tar.gz -C "$tmp" sarif_pydantic-0.6.2/sarif-schema-2.1.0.json
    got=$(sha256sum "$tmp/sarif_pydantic-0.6.2/sarif-schema-2.1.0.json" | cut -d' ' -f1)
    [ "$got" = "$sha" ] || { echo "sarif-schema.sh: the schema in sarif-pydantic 0.6.2 has SHA-256 $got, not $sha" >&2; exit 1; }
    mv "$tmp/sarif_pydantic-0.6.2/sarif-schema-2.1.0.json" "$schema"
fi
grep -q '"$id": "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json"' "$schema"
python3 -c 'import jsonschema' 2>/dev/null || python3 -m pip install -q jsonschema >&2
echo "$schema"
