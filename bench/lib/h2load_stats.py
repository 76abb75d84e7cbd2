#!/usr/bin/env python3
"""Turns one h2load run into the summary line bench/run reads from wrk (see stats.lua).

Usage: h2load_stats.py H2LOAD_OUTPUT LOG_FILE

H2LOAD_OUTPUT is what h2load printed; LOG_FILE its --log-file, one line per request:
start time (µs since the epoch), status code, microseconds until the end of the response, tab separated.
h2load prints only the mean and deviation of request times, so the percentiles come from the log.
Prints: BENCH requests= duration_us= bytes= errors= p50_us= p99_us= mean_us=
(nothing when h2load did not finish a run).
"""
import re
import sys

UNITS = {"s": 1e6, "ms": 1e3, "us": 1.0}


def main():
    text = open(sys.argv[1], errors="replace").read()
    finished = re.search(r"^finished in ([0-9.]+)(s|ms|us),", text, re.M)
    requests = re.search(r"^requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, "
                         r"(\d+) errored, (\d+) timeout", text, re.M)
    traffic = re.search(r"^traffic: \S+ \((\d+)\) total", text, re.M)
    if not (finished and requests and traffic):
        return
    duration_us = float(finished.group(1)) * UNITS[finished.group(2)]
    done, succeeded, failed = (int(requests.group(i)) for i in (3, 4, 5))
    times = []
    try:
        with open(sys.argv[2]) as log:
            for line in log:
                parts = line.split("\t")
                if len(parts) >= 3:
                    times.append(int(parts[2]))
    except OSError:
        pass
    times.sort()

    def pct(p):
        if not times:
            return 0
        return times[min(len(times) - 1, int(len(times) * p / 100))]

    mean = sum(times) / len(times) if times else 0
    # Errors as wrk counts them: answers that are not 2xx/3xx, and requests that failed (errors and timeouts are
    # among h2load's failed ones).
    print(f"BENCH requests={done} duration_us={duration_us:.0f} bytes={traffic.group(1)} "
          f"errors={max(failed, done - succeeded)} p50_us={pct(50)} p99_us={pct(99)} mean_us={mean:.0f}")


if __name__ == "__main__":
    main()
