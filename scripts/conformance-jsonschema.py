#!/usr/bin/env python3
"""Runs the official JSON Schema Test Suite (draft2020-12) through `pismo validate`.

Each test group becomes one process call: the group's schema is written to a temporary file
and all of its test documents are piped on stdin, one compact JSON document per line; the
tool answers one line per document ("valid" / "invalid: ..."). Usage:
    conformance-jsonschema.py PISMO_BINARY SUITE_DIR
Claimed: every required test (format.json as annotation-only), optional/format/* for the formats
listed below with format assertion on, and every other optional file except UNCLAIMED (run with
format assertion on, which only matters for the format files). Prints per-file failures, then
a claimed-set summary and an "unclaimed optional" summary.
Exit status 1 when anything in the claimed set fails.
"""
import glob, json, os, subprocess, sys, tempfile

CLAIMED_FORMATS = ["date-time", "date", "time", "duration", "email", "idn-email", "hostname", "idn-hostname",
                   "ipv4", "ipv6", "uri", "uri-reference", "iri", "iri-reference", "uuid", "json-pointer",
                   "relative-json-pointer", "regex", "uri-template"]

# Not claimed: cross-draft refs would need draft-2019-09/draft-7 semantics for the referenced
# historic metaschemas; Pismo implements 2020-12 only.
UNCLAIMED = {"optional/cross-draft.json"}


def run_group(binary, remotes, group, assert_format, workdir):
    schema_path = os.path.join(workdir, "schema.json")
    with open(schema_path, "w") as f:
        json.dump(group["schema"], f)
    args = [binary, "validate", "--schema", schema_path, "--schema-dir", remotes,
            "--schema-base", "http://localhost:1234/"]
    if assert_format:
        args.append("--assert-format")
    stdin = "".join(json.dumps(t["data"], ensure_ascii=False) + "\n" for t in group["tests"])
    proc = subprocess.run(args, input=stdin.encode("utf-8", "surrogatepass"), capture_output=True, timeout=120)
    lines = proc.stdout.decode("utf-8", "replace").splitlines()
    results = []
    for i, test in enumerate(group["tests"]):
        line = lines[i] if i < len(lines) else "(no answer: %s)" % proc.stderr.decode("utf-8", "replace").strip()[:200]
        results.append((test, line.startswith("valid"), line))
    return results


def run_file(binary, remotes, path, assert_format, workdir, failures):
    passed = failed = 0
    with open(path) as f:
        groups = json.load(f)
    for group in groups:
        for test, got_valid, line in run_group(binary, remotes, group, assert_format, workdir):
            if got_valid == test["valid"]:
                passed += 1
            else:
                failed += 1
                failures.append("%s | %s | %s -> %s" % (os.path.basename(path), group["description"],
                                                       test["description"], line[:160]))
    return passed, failed


def main():
    binary, suite = sys.argv[1], sys.argv[2]
    tests = os.path.join(suite, "tests", "draft2020-12")
    remotes = os.path.join(suite, "remotes")
    claimed = [(p, False) for p in sorted(glob.glob(os.path.join(tests, "*.json")))]
    claimed += [(os.path.join(tests, "optional", "format", fmt + ".json"), True) for fmt in CLAIMED_FORMATS]
    claimed_set = {p for p, _ in claimed}
    optional = [p for p in sorted(glob.glob(os.path.join(tests, "optional", "**", "*.json"), recursive=True))
                if p not in claimed_set]
    # Every other optional file is claimed too, except those listed in UNCLAIMED.
    claimed += [(p, True) for p in optional if os.path.relpath(p, tests) not in UNCLAIMED]
    others = [(p, True) for p in optional if os.path.relpath(p, tests) in UNCLAIMED]
    totals = {}
    with tempfile.TemporaryDirectory() as workdir:
        for label, files in (("claimed", claimed), ("unclaimed optional", others)):
            failures = []
            p_sum = f_sum = 0
            for path, assert_format in files:
                p, f = run_file(binary, remotes, path, assert_format, workdir, failures)
                p_sum += p
                f_sum += f
                if f:
                    print("  %-45s %d passed, %d failed" % (os.path.relpath(path, tests), p, f))
            for line in failures:
                print("    FAIL " + line)
            print("%s: %d passed, %d failed" % (label, p_sum, f_sum))
            totals[label] = (p_sum, f_sum)
    p, f = totals["claimed"]
    print("%d passed, %d failed" % (p, f))
    sys.exit(1 if f else 0)


if __name__ == "__main__":
    main()
