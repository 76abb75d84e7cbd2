"""Turns `strace -c -f` output into system calls per request: the first line is the total and the largest few, the
rest one line per call. Usage: syscalls.py STRACE_OUTPUT REQUESTS"""
import re
import sys

path, requests = sys.argv[1], int(sys.argv[2])
calls = {}
for line in open(path):
    # % time  seconds  usecs/call  calls  [errors]  syscall
    m = re.match(r'\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?([a-z_0-9]+)\s*$', line)
    if m and m.group(2) != 'total':
        calls[m.group(2)] = int(m.group(1))
if not requests or not calls:
    sys.exit("syscalls.py: nothing to count (%d requests, %d calls)" % (requests, len(calls)))
# futex is the JVM's threads waking each other (compiler, GC, writer threads), not the data path.
data = {k: v for k, v in calls.items() if k != 'futex'}
total = sum(data.values()) / requests
top = sorted(data.items(), key=lambda kv: -kv[1])[:6]
print("%.2f (without futex): %s" % (total, ", ".join("%s %.2f" % (k, v / requests) for k, v in top)))
for name, n in sorted(calls.items(), key=lambda kv: -kv[1]):
    print("%-20s %8.3f" % (name, n / requests))
