"""Validates SARIF logs against a JSON schema (Draft 7, as SARIF 2.1.0's is).

usage: validate-sarif.py SCHEMA FILE...
Prints each violation with its JSON path and exits 1 if there is any.
"""
import json
import sys

import jsonschema

schema = json.load(open(sys.argv[1]))
validator = jsonschema.Draft7Validator(schema)
bad = 0
for path in sys.argv[2:]:
    for e in validator.iter_errors(json.load(open(path))):
        bad += 1
        print(f"{path}: {'/'.join(map(str, e.absolute_path))}: {e.message}")
sys.exit(1 if bad else 0)
