"""Helpers of scripts/bench-http.sh: request bodies, the stored subject,
snapshots of a server's /metrics and CPU, and the report's tables.

    python3 scripts/bench_http_lib.py setup-body
    python3 scripts/bench_http_lib.py composite-body
    python3 scripts/bench_http_lib.py setup-subject BIN ARGS...
    python3 scripts/bench_http_lib.py snapshot NAME_PREFIX
    python3 scripts/bench_http_lib.py row NAME CONNS RATE OHA BEFORE AFTER
    python3 scripts/bench_http_lib.py two OHA1 OHA2 B1 A1 B2 A2
    python3 scripts/bench_http_lib.py rate ROWS NAME CONNS
    python3 scripts/bench_http_lib.py show < ROW
    python3 scripts/bench_http_lib.py report ROWS INPROCESS_TXT SECONDS
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import urllib.request

# A stored Hangzhou resident (the composite's subject): an identity number
# of division 330106.
RESIDENT = "330106199001011234"
STAGES = ["admission", "auth", "parse", "consent", "completion", "lane",
          "evaluation", "handoff", "commit", "answer"]
TICKS = os.sysconf("SC_CLK_TCK")


def setup_body():
    with open("plugins/ningbo-port-v1/samples/example.request.json") as f:
        d = json.load(f)
    d["model"] = "ningbo/port"
    print(json.dumps(d))


def composite_body():
    print(json.dumps({"subject": {"id": RESIDENT}}))


def setup_subject(binary, args):
    with open("examples/requests/hangzhou-qianjiang.json") as f:
        example = json.load(f)
    tmp = tempfile.mkdtemp(prefix="scorehost-bench-subject.")
    bases = os.path.join(tmp, "bases.ndjson")
    indicators = os.path.join(tmp, "indicators.ndjson")
    with open(bases, "w") as f:
        f.write(json.dumps({"subject_id": RESIDENT, "kind": "natural-person",
                            "score": 742.5, "grade": "B", "source": "bench"}) + "\n")
    with open(indicators, "w") as f:
        for i in example["indicators"]:
            f.write(json.dumps({"subject_id": RESIDENT, "name": i["name"],
                                "value": i["value"], "source": "bench"}) + "\n")
        f.write(json.dumps({"subject_id": RESIDENT, "name": "city_model",
                            "value": "hangzhou/qianjiang", "source": "bench"}) + "\n")
        f.write(json.dumps({"subject_id": RESIDENT, "name": "city_score",
                            "value": 600, "source": "bench"}) + "\n")
    run = lambda *a: subprocess.run([binary, *args, *a], check=True,
                                    stdout=subprocess.DEVNULL)
    run("data", "import", "bases", bases)
    run("data", "import", "indicators", indicators)
    for model in ["hangzhou/qianjiang", "zhejiang/credit-code"]:
        run("consent", "grant", "--subject", RESIDENT, "--app", "bench",
            "--model", model, "--until", "2099-12-31")
    for p in (bases, indicators):
        os.remove(p)
    os.rmdir(tmp)


def metrics(prefix):
    with open(prefix + ".url") as f:
        url = f.read().strip()
    with open(os.path.join(os.path.dirname(prefix), "auditor.token")) as f:
        token = f.read().strip()
    req = urllib.request.Request(url + "/metrics",
                                 headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(req, timeout=30) as r:
        text = r.read().decode()
    out = {}
    for line in text.splitlines():
        m = re.match(r'^(scorehost_(?:stage|request)_seconds_(?:sum|count))\{(.*)\} (\S+)$', line)
        if m:
            out[m.group(1) + "{" + m.group(2) + "}"] = float(m.group(3))
        m = re.match(r'^(scorehost_audit_batch_records_(?:sum|count)) (\S+)$', line)
        if m:
            out[m.group(1)] = float(m.group(2))
    return out


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # utime and stime are fields 14 and 15 of the whole line.
    return (int(fields[11]) + int(fields[12])) / TICKS


def snapshot(prefix):
    with open(prefix + ".pid") as f:
        pid = int(f.read())
    print(json.dumps({"cpu": cpu_seconds(pid), "metrics": metrics(prefix)}))


def load(path):
    with open(path) as f:
        return json.load(f)


def oha_figures(o):
    s = o["summary"]
    lat = o["latencyPercentiles"]
    codes = o.get("statusCodeDistribution", {})
    ok = sum(n for c, n in codes.items() if c.startswith("2"))
    total = sum(codes.values())
    errors = sum(o.get("errorDistribution", {}).values())
    ms = lambda k: None if lat.get(k) is None else lat[k] * 1000
    return {
        "rps": s["requestsPerSec"],
        "requests": total,
        "ok": ok,
        "non2xx": total - ok,
        "errors": errors,
        "p50": ms("p50"), "p90": ms("p90"), "p99": ms("p99"), "p999": ms("p99.9"),
    }


def stage_means(before, after, route="scores"):
    b, a = before["metrics"], after["metrics"]
    key = lambda kind, stage: f'scorehost_stage_seconds_{kind}{{route="{route}",stage="{stage}"}}'
    rkey = lambda kind: f'scorehost_request_seconds_{kind}{{route="{route}"}}'
    n = a.get(rkey("count"), 0) - b.get(rkey("count"), 0)
    if n <= 0:
        return {}, 0
    out = {}
    for s in STAGES:
        d = a.get(key("sum", s), 0) - b.get(key("sum", s), 0)
        out[s] = d / n * 1e6  # µs per request, over every request
    out["request"] = (a.get(rkey("sum"), 0) - b.get(rkey("sum"), 0)) / n * 1e6
    bs = a.get("scorehost_audit_batch_records_sum", 0) - b.get("scorehost_audit_batch_records_sum", 0)
    bc = a.get("scorehost_audit_batch_records_count", 0) - b.get("scorehost_audit_batch_records_count", 0)
    out["batch"] = bs / bc if bc else 0
    return out, n


def row(name, conns, rate, oha, before, after):
    o, b, a = load(oha), load(before), load(after)
    f = oha_figures(o)
    route = "composites" if "composite" in name else "scores"
    stages, n = stage_means(b, a, route)
    cpu = a["cpu"] - b["cpu"]
    f.update({"name": name, "conns": int(conns), "rate": rate,
              "cpu_us": cpu / n * 1e6 if n else None, "stages": stages})
    print(json.dumps(f))


def two(oha1, oha2, b1, a1, b2, a2):
    f1, f2 = oha_figures(load(oha1)), oha_figures(load(oha2))
    s1, n1 = stage_means(load(b1), load(a1))
    s2, n2 = stage_means(load(b2), load(a2))
    cpu = (load(a1)["cpu"] - load(b1)["cpu"]) + (load(a2)["cpu"] - load(b2)["cpu"])
    n = n1 + n2
    stages = {k: (s1.get(k, 0) * n1 + s2.get(k, 0) * n2) / n for k in s1} if n else {}
    print(json.dumps({
        "name": "postgres scores, 2 hosts", "conns": 16, "rate": "closed",
        "rps": f1["rps"] + f2["rps"], "requests": f1["requests"] + f2["requests"],
        "ok": f1["ok"] + f2["ok"], "non2xx": f1["non2xx"] + f2["non2xx"],
        "errors": f1["errors"] + f2["errors"],
        # The slower host's percentiles: each host's clients saw their own.
        "p50": max(f1["p50"], f2["p50"]), "p90": max(f1["p90"], f2["p90"]),
        "p99": max(f1["p99"], f2["p99"]), "p999": max(f1["p999"], f2["p999"]),
        "cpu_us": cpu / n * 1e6 if n else None, "stages": stages,
    }))


def rate(rows, name, conns):
    best = 0
    with open(rows) as f:
        for line in f:
            r = json.loads(line)
            if r["name"] == name and r["conns"] == int(conns) and r["rate"] == "closed":
                best = r["rps"]
    print(int(best))


def fmt(v, digits=2):
    return "–" if v is None else f"{v:,.{digits}f}"


def show():
    r = json.loads(sys.stdin.readline())
    st = r.get("stages", {})
    print(f"  {r['name']:<28} c={r['conns']:<3} {str(r['rate']):>7}: {r['rps']:>8,.0f}/s  "
          f"p50 {fmt(r['p50'])}  p90 {fmt(r['p90'])}  p99 {fmt(r['p99'])}  p99.9 {fmt(r['p999'])} ms  "
          f"non-2xx {r['non2xx']}  cpu {fmt(r['cpu_us'], 0)} µs/req  "
          + " ".join(f"{k} {v:.0f}" for k, v in st.items() if v >= 1),
          file=sys.stderr)


def inprocess(path):
    with open(path) as f:
        text = f.read()
    m = re.search(r"durable audited evaluations/s:\s+([\d.]+)", text)
    u = re.search(r"unaudited evaluations/s:\s+([\d.]+)", text)
    return (float(m.group(1)) if m else None, float(u.group(1)) if u else None)


def report(rows_path, inproc_path, secs):
    rows = [json.loads(l) for l in open(rows_path)]
    audited, plain = inprocess(inproc_path)
    out = []
    p = out.append
    p(f"Measured by `scripts/bench-http.sh {secs}` in one run ({secs} s a run; "
      "the server as it starts, oha pinned to core 1; 2 cores).")
    p("")
    if audited:
        p(f"In process, the same machine and run: {audited:,.0f} durable audited "
          f"evaluations/s (the audit bench, 2 worker threads; unaudited {plain:,.0f}/s).")
        p("")
    p("| store | route | connections | load | requests/s | × in-process | p50 ms | p90 ms | p99 ms | p99.9 ms | non-2xx | server CPU µs/req |")
    p("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        store, route = (r["name"].split(" ", 1) + [""])[:2]
        load = "closed loop" if r["rate"] == "closed" else f"open, {int(r['rate']):,}/s"
        ratio = f"{r['rps'] / audited:.2f}" if audited else "–"
        p(f"| {store} | {route} | {r['conns']} | {load} | {r['rps']:,.0f} | {ratio} | "
          f"{fmt(r['p50'])} | {fmt(r['p90'])} | {fmt(r['p99'])} | {fmt(r['p999'])} | "
          f"{r['non2xx']} | {fmt(r['cpu_us'], 0)} |")
    p("")
    p("Where a request's time goes: the mean µs per request in each stage "
      "(`scorehost_stage_seconds`; a stage a request did not meet counts 0), "
      "the whole request (`scorehost_request_seconds`), and the mean records per group commit.")
    p("")
    p("| store | route | connections | load | " + " | ".join(STAGES) + " | whole | records/commit |")
    p("|---|---|---|---|" + "---|" * (len(STAGES) + 2))
    for r in rows:
        st = r.get("stages") or {}
        if not st:
            continue
        store, route = (r["name"].split(" ", 1) + [""])[:2]
        load = "closed" if r["rate"] == "closed" else f"open {int(r['rate']):,}/s"
        p(f"| {store} | {route} | {r['conns']} | {load} | "
          + " | ".join(f"{st.get(s, 0):.0f}" for s in STAGES)
          + f" | {st.get('request', 0):.0f} | {st.get('batch', 0):.1f} |")
    print("\n".join(out))


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "setup-body":
        setup_body()
    elif cmd == "composite-body":
        composite_body()
    elif cmd == "setup-subject":
        setup_subject(args[0], args[1:])
    elif cmd == "snapshot":
        snapshot(args[0])
    elif cmd == "row":
        row(*args)
    elif cmd == "two":
        two(*args)
    elif cmd == "rate":
        rate(*args)
    elif cmd == "show":
        show()
    elif cmd == "report":
        report(*args)
    else:
        sys.exit(f"unknown command {cmd}")


if __name__ == "__main__":
    main()
