-- wrk script: prints one machine-readable summary line after the run.
-- Loaded with `wrk -s stats.lua`; it defines no per-request hooks, so it
-- does not slow wrk down. Latencies are in microseconds.
--
-- slow_pct is the share of requests (percent) that took at least
-- WRK_SLOW_MS milliseconds (default 45), found by bisecting wrk's latency
-- histogram; scenario d uses it to count requests that met the slow origin.

local slow_us = (tonumber(os.getenv("WRK_SLOW_MS")) or 45) * 1000

local function share_at_least(latency, us)
  if latency.max < us then return 0 end
  local lo, hi = 0, 100
  for _ = 1, 40 do
    local mid = (lo + hi) / 2
    if latency:percentile(mid) >= us then hi = mid else lo = mid end
  end
  return 100 - hi
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d bytes=%d connect=%d read=%d write=%d status=%d timeout=%d " ..
    "p50_us=%.0f p90_us=%.0f p99_us=%.0f max_us=%.0f mean_us=%.0f slow_pct=%.3f\n",
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    latency.mean, share_at_least(latency, slow_us)))
end
