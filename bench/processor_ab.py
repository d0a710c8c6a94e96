#!/usr/bin/env python3
"""Processor alone at saturation, A/B between builds: bench/saturation.sh's processor phase without
the deliver, pipeline and fault variants, so that one change can be judged in minutes.

    python3 bench/processor_ab.py --events 10000 --runs 5 A=/tmp/base/release B=.build/release

Each round runs every build once, in turn (interleaved, so machine load drifts over all of them
alike): a fresh `fakeaws` and `pismo init` on CPU 1, N generated events sent, then `pismo processor`
of that build on CPU 0 until the Events table holds N items. CPU is the processor's own (schedstat
of all its threads) from its first stored item to its last; `busy` is that CPU over the wall time
(1.0 = the core was saturated; less = waiting on round trips or on the fake). The fake, `send` and
`init` always come from the first build, so only the processor differs. Loopback only, bounded."""
import argparse, json, os, signal, statistics, subprocess, sys, time, urllib.request

P = argparse.ArgumentParser()
P.add_argument("--events", type=int, default=10000)
P.add_argument("--runs", type=int, default=5)
P.add_argument("--fake-port", type=int, default=4611)
P.add_argument("--rt", action="store_true", help="run the fake and the processor SCHED_FIFO (chrt -f 10): "
               "other work on their cores (a shared machine) then no longer slices into the measured window")
P.add_argument("--env", action="append", default=[], help="KEY=VALUE for the processor (every build)")
P.add_argument("builds", nargs="+", help="NAME=BIN_DIR")
A = P.parse_args()
BUILDS = [b.split("=", 1) for b in A.builds]
FIRST = BUILDS[0][1]
ENDPOINT = f"http://127.0.0.1:{A.fake_port}"
ENV = dict(os.environ, AWS_ENDPOINT_URL=ENDPOINT, AWS_REGION="us-east-1", AWS_ACCESS_KEY_ID="test",
           AWS_SECRET_ACCESS_KEY="test", PISMO_SCHEMA_DIR=os.path.abspath("schema"), PISMO_LOG_LEVEL="warning")
children = []


def start(cmd, cpu, env=ENV):
    rt = ["chrt", "-f", "10"] if A.rt else []
    p = subprocess.Popen(rt + ["taskset", "-c", cpu] + cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    children.append(p)
    return p


def stop(p):
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
        try: p.wait(10)
        except subprocess.TimeoutExpired: p.kill(); p.wait()
    children.remove(p)


def cpu_ns(pid):
    total = 0
    for t in os.listdir(f"/proc/{pid}/task"):
        try: total += int(open(f"/proc/{pid}/task/{t}/schedstat").read().split()[0])
        except (FileNotFoundError, ProcessLookupError): pass
    return total


def stats():
    return json.loads(urllib.request.urlopen(ENDPOINT + "/_fake/stats", timeout=10).read())


def up():
    try: stats(); return True
    except Exception: return False


def wait_until(cond, timeout, step):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = cond()
        if v: return v
        time.sleep(step)
    raise RuntimeError("timed out")


def one(bin_dir):
    if up(): raise RuntimeError(f"something already answers on {ENDPOINT}")
    f = start([f"{FIRST}/fakeaws", "--port", str(A.fake_port), "--shards", "4"], "1")
    try:
        wait_until(up, 10, 0.02)
        subprocess.run(["taskset", "-c", "0", f"{FIRST}/pismo", "init", "--route", "client-1=http://127.0.0.1:9/c1"],
                       env=ENV, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
        subprocess.run(["taskset", "-c", "0", f"{FIRST}/pismo", "send", "--generate", str(A.events), "--clients", "5"],
                       env=ENV, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)
        env = dict(ENV, DIRECT_DISPATCH="false", PISMO_METRICS_ADDR="127.0.0.1:9493", **dict(e.split("=", 1) for e in A.env))
        p = start([f"{bin_dir}/pismo", "processor"], "0", env)
        try:
            def snap():  # one stats answer for both counts, so they describe the same instant
                t, cpu, st = time.monotonic(), cpu_ns(p.pid), stats()
                return (t, cpu, st["tables"]["Events"]["items"], st["totals"]["requests"])
            first = wait_until(lambda: (s := snap())[2] > 0 and s, 60, 0.005)
            last = wait_until(lambda: (s := snap())[2] >= A.events and s, 600, 0.01)
        finally:
            stop(p)
    finally:
        stop(f)
    n, wall, cpu = last[2] - first[2], last[0] - first[0], (last[1] - first[1]) / 1e9
    return {"eps": n / wall, "us": cpu * 1e6 / n, "busy": cpu / wall, "req": (last[3] - first[3]) / n}


def load(): return float(open("/proc/loadavg").read().split()[0])


res = {name: [] for name, _ in BUILDS}
loads = []
try:
    for run in range(A.runs):
        for name, bin_dir in BUILDS:
            r = one(bin_dir)
            res[name].append(r)
            loads.append(load())
            print(f"run {run + 1} {name}: {r['eps']:.0f} ev/s {r['us']:.1f} µs/ev busy {r['busy']:.2f} "
                  f"requests/ev {r['req']:.3f} (load {loads[-1]:.1f})", flush=True)
finally:
    for p in list(children): p.kill()
print(f"== N={A.events}, {A.runs} interleaved runs, medians{', SCHED_FIFO' if A.rt else ''}; load {min(loads):.1f}-{max(loads):.1f} ==")
for name, _ in BUILDS:
    rs = res[name]
    m = lambda k: statistics.median(r[k] for r in rs)
    print(f"{name}: events/s={m('eps'):.0f} cpu_us/event={m('us'):.1f} (min {min(r['us'] for r in rs):.1f}) "
          f"busy={m('busy'):.2f} aws_requests/event={m('req'):.3f}")
