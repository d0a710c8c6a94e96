#!/usr/bin/env python3
"""Checks that the folders of Sources/Pismo depend on each other in one direction only.

A folder depends on another when one of its files names a type, protocol or free function declared
there. Names are found by reading the source text (comments and string literals removed), which is
enough for a codebase that declares each name once. Prints each dependency, then either the cycles
found or "1 passed, 0 failed"; exits 1 on a cycle.
"""
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Sources", "Pismo")
DECL = re.compile(r"^(?:public |internal |private |fileprivate |final |indirect |nonisolated\(unsafe\) )*"
                  r"(?:struct|class|enum|protocol|actor|typealias|func)\s+([A-Za-z_][A-Za-z0-9_]*)", re.M)
IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def folder_of(path):
    parts = os.path.relpath(path, ROOT).split(os.sep)
    # AWS is a package of its own sub-layers (Signing, Protocol, SQS, ...): judge them apart.
    if parts[0] == "AWS" and len(parts) > 2:
        return "AWS/" + parts[1]
    return parts[0] if len(parts) > 1 else "."


def strip(text):
    text = re.sub(r'"""[\s\S]*?"""', '""', text)
    text = re.sub(r'#"(?:[^"\\]|\\.)*"#', '""', text)
    text = re.sub(r'"(?:[^"\\\n]|\\.)*"', '""', text)
    text = re.sub(r"/\*[\s\S]*?\*/", "", text)
    return re.sub(r"//[^\n]*", "", text)


def main():
    files = {}
    for directory, _, names in os.walk(ROOT):
        for name in names:
            if name.endswith(".swift"):
                path = os.path.join(directory, name)
                with open(path, encoding="utf-8") as handle:
                    files[path] = strip(handle.read())
    owner = {}
    for path, text in files.items():
        # Only top-level declarations (no indentation) name a folder's public vocabulary.
        for name in DECL.findall(text):
            owner.setdefault(name, folder_of(path))
    edges = {}
    for path, text in files.items():
        here = folder_of(path)
        for name in set(IDENT.findall(text)):
            there = owner.get(name)
            if there and there != here:
                edges.setdefault(here, {}).setdefault(there, set()).add(name)
    for here in sorted(edges):
        for there in sorted(edges[here]):
            print(f"{here} -> {there}: {', '.join(sorted(edges[here][there])[:6])}")
    cycles = find_cycles({k: set(v) for k, v in edges.items()})
    if cycles:
        for cycle in cycles:
            print("cycle: " + " -> ".join(cycle + [cycle[0]]))
        print("0 passed, 1 failed")
        return 1
    print("layers: no folder cycles in Sources/Pismo")
    print("1 passed, 0 failed")
    return 0


def find_cycles(graph):
    """Strongly connected components of more than one folder (Tarjan)."""
    index, low, stack, on_stack, result, counter = {}, {}, [], set(), [], [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                result.append(sorted(component))

    for node in list(graph):
        if node not in index:
            visit(node)
    return result


if __name__ == "__main__":
    sys.exit(main())
