#!/usr/bin/env python3
"""Scores the HTTP/1.1 parser (CHTTPParser) against llhttp's test vectors (../shared/conformance/http).

Usage: http_vectors.py LIBCHTTP_PARSER.so VECTOR_DIR [-v]

For every case: the outcome (accept / reject / upgrade, and for *-finish cases whether EOF there is
safe), the number of completed messages, and the parsed spans (method, target, status, reason, header
name/value pairs, body bytes) of every completed message. The error offset is compared loosely and
only reported. Exclusions and deliberate divergences are listed in http_decisions.py with the reason
for each; docs/http-parser.md explains them.
"""
import base64
import json
import os
import re
import sys
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from chttp_ctypes import OPT_ALLOW_MISSING_HOST, Parser, drive  # noqa: E402
from http_decisions import DIVERGENCES, EXCLUDED_FILES, EXCLUDED_IDS, LENIENT_DECISIONS  # noqa: E402


# ---------------------------------------------------------------------------------------------
# Input bytes: re-derived from the markdown, because the jsonl's input_b64 drops trailing newlines
# (166 of 272 cases lose their final CRLF; the logs' offsets show the markdown is right).

def markdown_input(vector_dir, case):
    lines = open(os.path.join(vector_dir, "llhttp", case["file"]), encoding="utf-8").read().split("\n")
    i = case["line"] - 1
    while not lines[i].startswith("```"):
        i += 1
    j = i + 1
    while not lines[j].startswith("```"):
        j += 1
    text = "\n".join(lines[i + 1:j]) + "\n"
    text = text[:-1].replace("\\\n", "").replace("\n", "\r\n")

    def unescape(m):
        s = m.group(0)
        if s[1] == "x":
            return chr(int(s[2:], 16))
        if s[1] in "01234567":
            return chr(int(s[1:], 8))
        return {"r": "\r", "n": "\n", "t": "\t", "f": "\f"}[s[1]]

    return re.sub(r"\\(x[0-9a-fA-F]{2}|[0-7]{3}|[rntf])", unescape, text).encode("utf-8")


# ---------------------------------------------------------------------------------------------
# Expected parse, from llhttp's callback log.

LOG_LINE = re.compile(r"off=(\d+|NULL) (.*)")
SPAN = re.compile(r"len=(\d+) span\[([a-z_.]+)\]=")


def expected_from_log(log, data):
    msgs, error, finish, last_span = [], None, None, None
    for line in log:
        m = LOG_LINE.match(line)
        if not m:
            continue
        off, rest = m.group(1), m.group(2)
        if rest == "message begin":
            msgs.append({"method": b"", "url": b"", "reason": b"", "status": None, "headers": [],
                         "trailers": [], "body": b"", "complete": False, "head_done": False})
        elif rest.startswith("len="):
            s = SPAN.match(rest)
            o, n, kind = int(off), int(s.group(1)), s.group(2)
            _add_span(msgs[-1], kind, data[o:o + n], last_span)
            last_span = kind
        elif rest.startswith("headers complete"):
            msgs[-1]["head_done"] = True
            st = re.search(r"status=(\d+)", rest)
            if st:
                msgs[-1]["status"] = int(st.group(1))
        elif rest == "message complete":
            msgs[-1]["complete"] = True
        elif rest.startswith("error code="):
            error = (int(off), int(re.match(r"error code=(\d+)", rest).group(1)))
        elif rest.startswith("finish="):
            finish = int(rest.split("=")[1])
    return msgs, error, finish


def _add_span(msg, kind, text, last_span):
    if kind in ("method", "url", "body"):
        msg[kind] += text
    elif kind == "status":
        msg["reason"] += text
    elif kind in ("header_field", "header_value"):
        # Fields after the head are chunked trailers; the decoder validates but does not report them.
        fields = msg["trailers"] if msg["head_done"] else msg["headers"]
        if kind == "header_value":
            fields[-1][1] += text
        elif last_span == "header_field":
            fields[-1][0] += text
        else:
            fields.append([text, b""])


# ---------------------------------------------------------------------------------------------
# Scoring one case.

def run_case(parser, case, data):
    kind = case["kind"]
    if kind == "url":
        request = b"GET " + data + b" HTTP/1.1\r\nHost: h\r\n\r\n"
        got = drive(parser, request, True)
        want = "accept" if case["outcome"] == "accept" else "reject"
        return ([] if got.ending == want else [f"outcome {got.ending} {got.error}, llhttp {want}"]), got
    is_request = kind == "request"
    at_eof = case["mode"].endswith("-finish")
    # llhttp does not require Host (RFC 9112 3.2 does); the unit tests cover our Host rule.
    got = drive(parser, data, is_request, at_eof=at_eof, options=OPT_ALLOW_MISSING_HOST)
    msgs, error, finish = expected_from_log(case["expected_log"], data)
    return compare(case, got, msgs, error, finish), got


def compare(case, got, msgs, error, finish):
    problems = []
    want = case["outcome"]
    have = got.ending
    if want == "reject" and error and error[1] == 5:
        want = "closed"  # "Data after Connection: close": we stop reading, which is the same rejection
    if have != want:
        problems.append(f"outcome {have} {got.error or ''}, llhttp {want} {error or ''}")
    if finish is not None and got.pending != (finish == 2):
        problems.append(f"pending at EOF={got.pending}, llhttp finish={finish}")
    want_done = [m for m in msgs if m["complete"]]
    if finish == 1 and msgs and not msgs[-1]["complete"]:
        want_done.append(msgs[-1])  # EOF completes a read-until-close message; llhttp logs no callback
    have_done = [m for m in got.messages if m["complete"]]
    if len(want_done) != len(have_done):
        problems.append(f"{len(have_done)} messages completed, llhttp {len(want_done)}")
    for i, (w, h) in enumerate(zip(want_done, have_done)):
        problems += [f"message {i}: {p}" for p in compare_message(case["kind"], w, h)]
    return problems


def compare_message(kind, w, h):
    problems = []
    fields = ("method", "url") if kind == "request" else ("status", "reason")
    for f in fields + ("body",):
        if w[f] != h[f]:
            problems.append(f"{f} {h[f]!r} != llhttp {w[f]!r}")
    want_headers = [(n, v.rstrip(b" \t")) for n, v in w["headers"]]
    if want_headers != h["headers"]:
        problems.append(f"headers {h['headers']!r} != llhttp {want_headers!r}")
    return problems


# ---------------------------------------------------------------------------------------------

def classify(case):
    """Returns (bucket, expectation override or None, reason)."""
    cid = case["id"]
    if case["file"] in EXCLUDED_FILES:
        return "excluded", None, EXCLUDED_FILES[case["file"]]
    if cid in EXCLUDED_IDS:
        return "excluded", None, EXCLUDED_IDS[cid]
    if cid in DIVERGENCES:
        return "diverged", DIVERGENCES[cid][0], DIVERGENCES[cid][1]
    if not case["strict"]:
        mode = case["mode"].split("-lenient-")[-1]
        if case["outcome"] == "paused" or mode not in LENIENT_DECISIONS:
            return "excluded", None, "llhttp pause API"
        return "lenient", LENIENT_DECISIONS[mode][0], LENIENT_DECISIONS[mode][1]
    return "strict", None, ""


def main():
    lib, vector_dir = sys.argv[1], sys.argv[2]
    verbose = "-v" in sys.argv
    parser = Parser(lib)
    cases = [json.loads(line) for line in open(os.path.join(vector_dir, "llhttp_vectors.jsonl"))]
    counts = defaultdict(lambda: defaultdict(int))
    failures, repaired = [], 0
    offsets = [0, 0]  # strict rejections: [within 8 bytes of llhttp's error offset, total]
    for case in cases:
        data = markdown_input(vector_dir, case)
        if data != base64.b64decode(case.get("input_b64", "")):
            repaired += 1
        bucket, override, reason = classify(case)
        group = case["file"].removesuffix(".md")
        if bucket == "excluded":
            counts[group]["excluded"] += 1
            continue
        problems, got = run_case(parser, case, data)
        if override is not None:
            # Scored against our documented decision instead of llhttp's outcome.
            problems = [] if got.ending == override else [f"outcome {got.ending} {got.error}, decided {override}"]
        if bucket == "strict" and not problems and got.error and case["error"]:
            offsets[1] += 1
            offsets[0] += abs(got.error[0] - case["error"]["offset"]) <= 8
        label = {"strict": "passed", "diverged": "diverged", "lenient": "lenient"}[bucket]
        if problems:
            counts[group]["failed"] += 1
            failures.append((case, problems))
        else:
            counts[group][label] += 1
        if verbose and not problems:
            print(f"  ok {case['id']} [{bucket}] {case['name']}: {got.ending} {got.error or ''}")
    for case, problems in failures:
        print(f"FAIL {case['id']} ({case['mode']}) {case['name']}")
        for p in problems:
            print(f"     {p}")
    print(f"error offset within 8 bytes of llhttp's (informational): {offsets[0]} of {offsets[1]}")
    print(f"inputs re-derived from markdown (jsonl input_b64 differs): {repaired}")
    print(f"{'group':36} passed diverged lenient excluded failed")
    for group in sorted(counts):
        c = counts[group]
        print(f"{group:36} {c['passed']:6} {c['diverged']:8} {c['lenient']:7} {c['excluded']:8} {c['failed']:6}")
    ok = sum(c["passed"] + c["diverged"] + c["lenient"] for c in counts.values())
    bad = sum(c["failed"] for c in counts.values())
    print(f"{ok} passed, {bad} failed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
