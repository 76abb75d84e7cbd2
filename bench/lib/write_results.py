#!/usr/bin/env python3
"""Turns bench/run's results.tsv and meta.txt into bench/RESULTS.md (on stdout).

results.tsv columns (tab separated, no header):
  variant scenario proxy balancer status requests duration_us bytes errors
  p50_us p99_us cpu_ticks rss_kb conns mean_us slow_pct
"""
import sys

COLUMNS = ("variant scenario proxy balancer status requests duration_us bytes errors "
           "p50_us p99_us cpu_ticks rss_kb conns mean_us slow_pct").split()

TITLES = {
    "a": "(a) small response, keep-alive",
    "b": "(b) 1 MiB responses",
    "c": "(c) new connection per request (`Connection: close`)",
    "d": "(d) balancing quality: 3 origins, one sleeps 50 ms on 10% of its responses",
    "e": "(e) peak RSS with 1,000 keep-alive connections, small responses",
    "f": "(f) HTTP/2 over TLS (h2load), small responses, 10 streams per connection",
}
VARIANT_TEXT = {
    "pinned": "pinned: proxy on core 0 (`taskset -c 0`, 1 worker / 1 thread / "
              "`-XX:ActiveProcessorCount=1`), wrk and origins on core 1",
    "unpinned": "unpinned: no CPU affinity; nginx `worker_processes auto`, HAProxy `nbthread 2`, "
                "Bascule default; wrk with 2 threads",
}
PROXY_ORDER = {"direct": 0, "nginx": 1, "haproxy": 2, "bascule": 3}
BALANCER_ORDER = {"round_robin": 0, "least_conn": 1, "random_two": 2, "hash": 3, "ewma": 4}


def read_meta(path):
    meta = {}
    with open(path) as f:
        for line in f:
            key, _, value = line.rstrip("\n").partition("=")
            meta[key] = value
    return meta


def read_rows(path, clk_tck):
    rows = []
    with open(path) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) != len(COLUMNS):
                continue
            r = dict(zip(COLUMNS, parts))
            for k in ("requests", "duration_us", "bytes", "errors", "p50_us", "p99_us",
                      "cpu_ticks", "rss_kb", "conns", "mean_us"):
                r[k] = int(float(r[k] or 0))
            r["slow_pct"] = float(r["slow_pct"] or 0)
            ok = r["status"] == "ok" and r["requests"] > 0 and r["duration_us"] > 0
            r["ok"] = ok
            if ok:
                secs = r["duration_us"] / 1e6
                r["rps"] = r["requests"] / secs
                r["mibs"] = r["bytes"] / secs / 1048576
                proxy = r["proxy"] != "direct"
                r["cpu_us"] = r["cpu_ticks"] * 1e6 / clk_tck / r["requests"] if proxy else None
                r["rss_mib"] = r["rss_kb"] / 1024 if proxy else None
                r["cpu_pct"] = r["cpu_ticks"] / clk_tck / secs * 100 if proxy else None
            rows.append(r)
    return rows


def num(v, digits=0):
    if v is None:
        return "—"
    return f"{v:,.{digits}f}"


def ms(us):
    return f"{us / 1000:.2f}"


def ratio(v, ref):
    if v is None or ref is None or ref == 0:
        return ""
    return f" ({v / ref:.2f}x)"


def label(r):
    name = "direct (ceiling)" if r["proxy"] == "direct" else r["proxy"]
    if r["scenario"] == "d":
        name += f" `{r['balancer']}`"
    return name


def sort_key(r):
    return (PROXY_ORDER.get(r["proxy"], 9), BALANCER_ORDER.get(r["balancer"], 9))


def reference(rows):
    """The nginx row that the others are compared with."""
    for r in rows:
        if r["proxy"] == "nginx" and r["ok"]:
            return r
    return None


def table(rows, scenario):
    ref = reference(rows)
    g = (lambda k: ref[k]) if ref else (lambda k: None)
    out = []
    if scenario == "d":
        out.append("| proxy | req/s | p50 ms | p99 ms | mean ms | requests ≥ 45 ms | errors | CPU µs/req "
                   "| peak RSS MiB | proxy CPU % |")
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    elif scenario == "e":
        out.append("| proxy | peak RSS MiB | req/s | p50 ms | p99 ms | errors | CPU µs/req | proxy CPU % |")
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|")
    else:
        out.append("| proxy | req/s | MiB/s | p50 ms | p99 ms | errors | CPU µs/req | peak RSS MiB | proxy CPU % |")
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in sorted(rows, key=sort_key):
        if not r["ok"]:
            blanks = " | ".join([""] * (8 if scenario == "d" else 7))
            out.append(f"| {label(r)} | **{r['status']}** | {blanks} |")
            continue
        rps = num(r["rps"]) + ratio(r["rps"], g("rps"))
        mibs = num(r["mibs"], 1) + ratio(r["mibs"], g("mibs"))
        p50 = ms(r["p50_us"]) + ratio(r["p50_us"], g("p50_us"))
        p99 = ms(r["p99_us"]) + ratio(r["p99_us"], g("p99_us"))
        cpu = num(r["cpu_us"], 1) + ratio(r["cpu_us"], g("cpu_us"))
        rss = num(r["rss_mib"], 1) + ratio(r["rss_mib"], g("rss_mib"))
        errors = num(r["errors"])
        pct = num(r["cpu_pct"])
        if scenario == "d":
            mean = ms(r["mean_us"]) + ratio(r["mean_us"], g("mean_us"))
            slow = f"{r['slow_pct']:.2f}%" + ratio(r["slow_pct"], g("slow_pct"))
            out.append(f"| {label(r)} | {rps} | {p50} | {p99} | {mean} | {slow} | {errors} | {cpu} | {rss} | {pct} |")
        elif scenario == "e":
            out.append(f"| {label(r)} | {rss} | {rps} | {p50} | {p99} | {errors} | {cpu} | {pct} |")
        else:
            out.append(f"| {label(r)} | {rps} | {mibs} | {p50} | {p99} | {errors} | {cpu} | {rss} | {pct} |")
    return "\n".join(out)


def summary_line(rows, scenario, variant):
    ref = reference(rows)
    head = f"- **{scenario}** ({variant}):"
    if ref is None:
        return f"{head} no nginx reference"
    parts = []
    for r in sorted(rows, key=sort_key):
        if r is ref or r["proxy"] == "direct":
            continue
        name = r["proxy"] if scenario != "d" else f"{r['proxy']} {r['balancer']}"
        if not r["ok"]:
            parts.append(f"{name} {r['status']}")
            continue
        if scenario == "d":
            slow = f"{r['slow_pct'] / ref['slow_pct']:.2f}x" if ref["slow_pct"] else f"{r['slow_pct']:.2f}%"
            cpu = f"{r['cpu_us'] / ref['cpu_us']:.2f}x" if ref["cpu_us"] else "?"
            parts.append(f"{name} p99 {r['p99_us'] / ref['p99_us']:.2f}x, mean {r['mean_us'] / ref['mean_us']:.2f}x, "
                         f"requests ≥ 45 ms {slow}, CPU/req {cpu}")
        elif scenario == "e":
            parts.append(f"{name} peak RSS {r['rss_mib'] / ref['rss_mib']:.2f}x")
        else:
            tput = "MiB/s" if scenario == "b" else "req/s"
            key = "mibs" if scenario == "b" else "rps"
            cpu = f"{r['cpu_us'] / ref['cpu_us']:.2f}x" if ref["cpu_us"] else "?"
            parts.append(f"{name} {tput} {r[key] / ref[key]:.2f}x, p99 {r['p99_us'] / ref['p99_us']:.2f}x, "
                         f"CPU/req {cpu}, peak RSS {r['rss_mib'] / ref['rss_mib']:.2f}x")
    refname = "nginx least_conn" if scenario == "d" else "nginx"
    return f"{head} vs {refname}: " + "; ".join(parts) if parts else f"{head} only nginx ran"


def main():
    meta = read_meta(sys.argv[1])
    clk_tck = int(meta.get("clk_tck") or 100)
    rows = read_rows(sys.argv[2], clk_tck)
    p = print

    p("# Bascule benchmark results")
    p()
    p(f"Written by `bench/run` ({meta.get('mode')} mode) on {meta.get('date')}. "
      f"Measured runs of {meta.get('duration')} s after {meta.get('warmup')} s of warm-up "
      f"({meta.get('jvm_warmup')} s for Bascule's JVM, in two loads: see `bench/README.md`). Raw wrk output: `{meta.get('run_dir')}/wrk/` "
      "(not committed). How to read these tables: `bench/README.md`.")
    p()
    p("| machine | |")
    p("|---|---|")
    p(f"| CPUs (nproc) | {meta.get('nproc')} |")
    p(f"| CPU model | {meta.get('cpu')} |")
    p(f"| kernel | {meta.get('kernel')} |")
    p(f"| java | {meta.get('java')} |")
    p(f"| nginx | {meta.get('nginx')} |")
    p(f"| haproxy | {meta.get('haproxy')} |")
    p(f"| wrk | {meta.get('wrk')} |")
    if meta.get("h2load"):
        p(f"| h2load | {meta.get('h2load')} |")
    p(f"| load average at start / end | {meta.get('loadavg_start')} / {meta.get('loadavg_end')} |")
    p(f"| Bascule | {meta.get('bascule')}; commit {meta.get('bascule_commit')}"
      f"{'; BASCULE_JAVA_OPTS=' + meta['java_opts'] if meta.get('java_opts') else ''} |")
    p()
    p("Each figure in parentheses is the ratio to nginx measured in the same run and setting "
      "(for (d): to nginx `least_conn`). Errors are wrk's non-2xx/3xx responses plus socket errors "
      "(connect, read, write, timeout). CPU µs/req is the user+system CPU time of the proxy's "
      "processes during the measured run divided by the requests served; peak RSS is VmHWM "
      "(nginx: master and workers added up). Proxy CPU % is that CPU time over the run's wall time "
      "(100% = one core busy).")
    try:
        load = float((meta.get("loadavg_start") or "0").split()[0])
        cpus = int(meta.get("nproc") or 1)
    except ValueError:
        load, cpus = 0.0, 1
    if load > cpus:
        p()
        p(f"**Note:** the machine was already busy when this run started (1-minute load average {load:.1f} "
          f"on {cpus} CPUs), so throughput and latency are noisier than usual; CPU µs per request is "
          "the least affected figure.")

    variants = []
    for r in rows:
        if r["variant"] not in variants:
            variants.append(r["variant"])
    summary = []
    for variant in variants:
        p()
        p(f"## {variant.capitalize()}")
        p()
        p(VARIANT_TEXT.get(variant, variant))
        for scenario in "abcdef":
            group = [r for r in rows if r["variant"] == variant and r["scenario"] == scenario]
            if not group:
                continue
            p()
            p(f"### {TITLES[scenario]} — {group[0]['conns']:,} connections")
            p()
            if scenario == "f":
                p("Load from `h2load -c 16 -m 10` (16 TLS connections, ALPN h2, 10 streams each) instead of wrk; "
                  "the origins are the same HTTP/1.1 ones, so there is no direct row. p50/p99 come from h2load's "
                  "per-request log; errors are requests h2load counts as failed or not 2xx/3xx.")
                p()
            p(table(group, scenario))
            summary.append(summary_line(group, scenario, variant))
    p()
    p("## Ratios to nginx, one line per scenario")
    p()
    for line in summary:
        p(line)


if __name__ == "__main__":
    main()
