#!/usr/bin/env python3
"""The comparison side of bench/validation.sh: orjson parse + jsonschema-rs validation of the
same event corpus Pismo validates (envelope schema, then events/<event_type>.json for data),
in one in-process loop on one core. Usage: validation_jsonschema_rs.py SCHEMA_DIR CORPUS.jsonl"""
import glob, json, os, sys, time
from importlib.metadata import version

import jsonschema_rs

REPEATS = 5
import orjson


def main():
    schema_dir, corpus_path = sys.argv[1], sys.argv[2]
    with open(os.path.join(schema_dir, "event_schema.json")) as f:
        envelope = jsonschema_rs.Draft202012Validator(json.load(f), validate_formats=True)
    per_type = {}
    for path in glob.glob(os.path.join(schema_dir, "events", "*.json")):
        with open(path) as f:
            per_type[os.path.basename(path)[:-5]] = jsonschema_rs.Draft202012Validator(json.load(f), validate_formats=True)
    with open(corpus_path, "rb") as f:
        docs = f.read().splitlines()

    def run(batch):
        valid = 0
        for line in batch:
            try:
                event = orjson.loads(line)
            except orjson.JSONDecodeError:
                continue
            if not envelope.is_valid(event):
                continue
            validator = per_type.get(event["event_type"])
            if validator is None or validator.is_valid(event["data"]):
                valid += 1
        return valid

    run(docs[:10000])  # warm-up
    seconds = float("inf")
    for _ in range(REPEATS):  # best of REPEATS passes, as the Swift side does
        start = time.perf_counter()
        valid = run(docs)
        seconds = min(seconds, time.perf_counter() - start)
    print("jsonschema-rs %s + orjson %s parse+validate: %.0f docs/s, %d valid / %d (best of %d)" % (
        version("jsonschema-rs"), version("orjson"), len(docs) / seconds, valid, len(docs), REPEATS))


if __name__ == "__main__":
    main()
