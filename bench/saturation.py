#!/usr/bin/env python3
"""Driver of bench/saturation.sh (read its header). Loopback only; every phase bounded in time."""
import argparse, json, os, signal, statistics, subprocess, sys, tempfile, time, urllib.request, datetime

P = argparse.ArgumentParser()
P.add_argument("--bin", required=True)
P.add_argument("--events", type=int, default=20000)
P.add_argument("--runs", type=int, default=3)
P.add_argument("--pipeline", type=int, default=1)
P.add_argument("--fake-port", type=int, default=4599)
P.add_argument("--sink-port", type=int, default=8297)
A = P.parse_args()
PISMO, FAKE = os.path.join(A.bin, "pismo"), os.path.join(A.bin, "fakeaws")
WORK = tempfile.mkdtemp(prefix="pismo-saturation.")
ENDPOINT = f"http://127.0.0.1:{A.fake_port}"
ENV = dict(os.environ, AWS_ENDPOINT_URL=ENDPOINT, AWS_REGION="us-east-1", AWS_ACCESS_KEY_ID="test",
           AWS_SECRET_ACCESS_KEY="test", PISMO_SCHEMA_DIR=os.path.abspath("schema"), PISMO_LOG_LEVEL="warning",
           PISMO_WEBHOOK_ALLOW_NETS="127.0.0.1/32")  # the sink is on loopback, which the SSRF guard refuses otherwise
CLIENT_CPU, FAKE_CPU = "0", "1"
children = []


def start(cmd, cpu, env=None, log=None):
    p = subprocess.Popen(["taskset", "-c", cpu] + cmd, env=env or ENV, stdout=subprocess.DEVNULL,
                         stderr=open(log, "w") if log else subprocess.DEVNULL)
    children.append(p)
    return p


def stop(p, sig=signal.SIGTERM, wait=10):
    if p.poll() is None:
        p.send_signal(sig)
        try:
            p.wait(wait)
        except subprocess.TimeoutExpired:
            p.kill(); p.wait()
    if p in children: children.remove(p)


def cleanup(*_):
    for p in list(children): stop(p, signal.SIGKILL, 2)


signal.signal(signal.SIGTERM, lambda *a: (cleanup(), sys.exit(1)))


def cpu_ns(pid):
    """Run time of every thread of pid, ns (schedstat), so 10 ms ticks do not blur short phases."""
    total = 0
    for t in os.listdir(f"/proc/{pid}/task"):
        try:
            total += int(open(f"/proc/{pid}/task/{t}/schedstat").read().split()[0])
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total


def rss_mb(pid, field="VmHWM"):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(field + ":"): return int(line.split()[1]) / 1024
    return 0.0


def fake(path, method="GET"):
    req = urllib.request.Request(ENDPOINT + path, method=method, data=b"" if method == "POST" else None)
    return json.loads(urllib.request.urlopen(req, timeout=10).read())


def wait_until(cond, timeout, step=0.02):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = cond()
        if v: return v
        time.sleep(step)
    return None


def sink_lines(path):
    try:
        with open(path, "rb") as f: return sum(1 for _ in f)
    except FileNotFoundError:
        return 0


def ops_delta(before, after):
    out = {}
    for op, c in after["operations"].items():
        b = before["operations"].get(op, {})
        d = {k: c[k] - b.get(k, 0) for k in c}
        if d["requests"]: out[op] = d
    return out


def fresh_world(tag, throttle=0.0):
    """A new fake (empty) on CPU 1, a sink on CPU 1, `pismo init` with 5 routes to the sink."""
    # Our server binds with SO_REUSEPORT: a leftover fake on the port would silently share the load.
    if _up(): raise RuntimeError(f"something already answers on {ENDPOINT}: stop it first")
    f = start([FAKE, "--port", str(A.fake_port), "--shards", "4"], FAKE_CPU, log=f"{WORK}/{tag}.fake.log")
    wait_until(lambda: _up(), 10)
    sink_log = f"{WORK}/{tag}.sink.jsonl"
    s = start([PISMO, "sink", "--addr", f"127.0.0.1:{A.sink_port}", "--log", sink_log], FAKE_CPU)
    routes = sum([["--route", f"client-{i}=http://127.0.0.1:{A.sink_port}/c{i}"] for i in range(1, 6)], [])
    subprocess.run(["taskset", "-c", CLIENT_CPU, PISMO, "init"] + routes, env=ENV, check=True, stdout=subprocess.DEVNULL, timeout=60)
    if throttle: fake(f"/_fake/faults?throttle={throttle}", "POST")
    return f, s, sink_log


def _up():
    try:
        fake("/_fake/stats"); return True
    except Exception:
        return False


def measured(pid, done, progress, timeout, fake_pid):
    """Times and CPU from the first unit of progress to `done`: startup (init, leases) is left out.
    The fake's own CPU over the same window gives its cost per request (its one-core capacity)."""
    snap = lambda: (time.monotonic(), cpu_ns(pid), progress(), fake("/_fake/stats"), cpu_ns(fake_pid))
    first = wait_until(lambda: progress() > 0 and snap(), timeout, 0.005)
    if not first: raise RuntimeError("no progress")
    last = wait_until(lambda: done() and snap(), timeout, 0.01)
    if not last: raise RuntimeError(f"not done in {timeout} s (progress {progress()})")
    events = last[2] - first[2]
    requests = last[3]["totals"]["requests"] - first[3]["totals"]["requests"]
    return {"eps": events / (last[0] - first[0]), "us": (last[1] - first[1]) / 1e3 / events, "events": events,
            "ops": ops_delta(first[3], last[3]), "rss": rss_mb(pid), "fake_us_per_request": (last[4] - first[4]) / 1e3 / max(1, requests)}


def processor_phase(tag, direct=False, throttle=0.0):
    f, s, sink_log = fresh_world(tag, throttle)
    # Pre-load the queue: sent before the processor starts (and before the measured window).
    subprocess.run(["taskset", "-c", CLIENT_CPU, PISMO, "send", "--generate", str(A.events), "--clients", "5"],
                   env=ENV, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)
    env = dict(ENV, DIRECT_DISPATCH="true" if direct else "false", PISMO_METRICS_ADDR="127.0.0.1:9491")
    p = start([PISMO, "processor"], CLIENT_CPU, env, f"{WORK}/{tag}.processor.log")
    items = lambda: fake("/_fake/stats")["tables"]["Events"]["items"]
    r = measured(p.pid, lambda: items() >= A.events, items, 600, f.pid)
    stop(p)
    return f, s, sink_log, r


def deliver_phase(tag, f, s, sink_log):
    env = dict(ENV, PISMO_METRICS_ADDR="127.0.0.1:9492")
    d = start([PISMO, "deliver"], CLIENT_CPU, env, f"{WORK}/{tag}.deliver.log")
    r = measured(d.pid, lambda: sink_lines(sink_log) >= A.events, lambda: sink_lines(sink_log), 600, f.pid)
    stop(d)
    stop(s); stop(f)
    return r


def pipeline_step(rate, run, seconds=5):
    """Whole pipeline at `rate` for `seconds`: (delivered share, p99 ms, p50 ms)."""
    f, s, sink_log = fresh_world(f"pipe{run}-{rate}")  # a log per run: the generator's event ids repeat
    p = start([PISMO, "processor"], CLIENT_CPU, dict(ENV, PISMO_METRICS_ADDR="127.0.0.1:9491"))
    d = start([PISMO, "deliver"], CLIENT_CPU, dict(ENV, PISMO_METRICS_ADDR="127.0.0.1:9492"))
    time.sleep(2)
    n = int(rate * seconds)
    subprocess.run(["taskset", "-c", CLIENT_CPU, PISMO, "send", "--generate", str(n), "--clients", "5", "--rate", str(rate)],
                   env=ENV, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=seconds * 4 + 30)
    wait_until(lambda: sink_lines(sink_log) >= n, 10, 0.1)
    for x in (p, d, s, f): stop(x)
    lat, seen = [], set()
    unix = lambda iso: datetime.datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()
    for line in open(sink_log):
        rec = json.loads(line)
        body = json.loads(rec["body"])
        if body["event_id"] in seen: continue
        seen.add(body["event_id"])
        lat.append((rec["time_unix"] - unix(body["event_time"])) * 1000)
    lat.sort()
    pct = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] if lat else float("inf")
    return len(seen) / n, pct(0.99), pct(0.5)


def per_event(r):
    n = r["events"]
    reqs = {op: c["requests"] / n for op, c in r["ops"].items()}
    return sum(reqs.values()), reqs, sum(c["bytes_in"] + c["bytes_out"] for c in r["ops"].values()) / n


def load(): return open("/proc/loadavg").read().split()[0]


# Paced rates tried in order until one misses (p99 ≥ 1 s or an event not delivered within 10 s).
LADDER = [500, 750, 1000, 1500, 2000, 3000, 4000, 6000, 8000, 12000, 16000, 24000, 32000]
variants = [("stream", {}), ("throttle1", {"throttle": 0.01}), ("direct", {"direct": True})]
results = {v: {"processor": [], "deliver": []} for v, _ in variants}
loads = []
try:
    for run in range(A.runs if A.pipeline != 2 else 0):
        for name, opts in variants:
            tag = f"{name}{run}"
            f, s, sink_log, pr = processor_phase(tag, direct=opts.get("direct", False), throttle=opts.get("throttle", 0.0))
            results[name]["processor"].append(pr)
            if opts.get("direct"):
                stop(s); stop(f)   # direct mode delivers from the processor: no deliver-alone figure
            else:
                results[name]["deliver"].append(deliver_phase(tag, f, s, sink_log))
            loads.append(float(load()))
            print(f"run {run + 1}/{A.runs} {name}: processor {pr['eps']:.0f} ev/s {pr['us']:.1f} µs/ev"
                  + (f"; deliver {results[name]['deliver'][-1]['eps']:.0f} ev/s {results[name]['deliver'][-1]['us']:.1f} µs/ev" if results[name]["deliver"] and not opts.get("direct") else "")
                  + f"   (load {loads[-1]})", flush=True)
    best_rates = []
    if A.pipeline:
        for run in range(A.runs):
            best = 0
            for rate in LADDER:
                share, p99, p50 = pipeline_step(rate, run)
                ok = share >= 0.999 and p99 < 1000
                print(f"pipeline run {run + 1}: rate {rate}/s delivered {share * 100:.1f}% p50 {p50:.0f} ms p99 {p99:.0f} ms {'ok' if ok else 'FAIL'}   (load {load()})", flush=True)
                if not ok: break
                best = rate
            best_rates.append(best)
finally:
    cleanup()

med = lambda xs: statistics.median(xs) if xs else float("nan")
loads = loads or [float(load())]
print(f"\n== N={A.events}, {A.runs} interleaved runs, medians; pismo on CPU {CLIENT_CPU}, fakeaws + sink on CPU {FAKE_CPU}; "
      f"load average during runs {min(loads):.1f}-{max(loads):.1f} (shared machine) ==")
summary = {}
for name, _ in variants:
    for stage in ("processor", "deliver"):
        rs = results[name][stage]
        if not rs: continue
        eps, us = med([r["eps"] for r in rs]), med([r["us"] for r in rs])
        total, reqs, wire = per_event(sorted(rs, key=lambda r: r["us"])[len(rs) // 2])
        rss = med([r["rss"] for r in rs])
        fake_us = med([r["fake_us_per_request"] for r in rs])
        summary[(name, stage)] = (eps, us, total)
        ops = " ".join(f"{op}={v:.3f}" for op, v in sorted(reqs.items(), key=lambda kv: -kv[1]))
        print(f"{name:9} {stage:9} events/s={eps:.0f} cpu_us/event={us:.1f} rss_peak_mb={rss:.0f} "
              f"aws_requests/event={total:.3f} wire_bytes/event={wire:.0f} fakeaws_cpu_us/request={fake_us:.1f} "
              f"(one core: {1e6 / fake_us / total:.0f} events/s of this mix): {ops}")
if A.pipeline:
    print(f"pipeline  highest paced rate with p99 < 1 s (ladder {LADDER[0]}, {LADDER[1]}, ...): {med(best_rates):.0f} events/s (runs: {best_rates})")
print(f"logs in {WORK}")
if A.pipeline == 2: sys.exit(0)   # PIPELINE=only: no processor/deliver figures
p, d = summary[("stream", "processor")], summary[("stream", "deliver")]
print(f"processor_eps={p[0]:.0f} processor_us={p[1]:.1f} deliver_eps={d[0]:.0f} deliver_us={d[1]:.1f} aws_requests_per_event={p[2] + d[2]:.3f}")
