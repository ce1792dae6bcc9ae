-- wrk script: optional pacing (BENCH_PACE_MS, a mean pause per connection between requests) and one
-- machine-readable line with wrk's own statistics at the end (latencies in microseconds).
local pace_ms = tonumber(os.getenv("BENCH_PACE_MS") or "0")

if pace_ms > 0 then
  -- A random pause around the mean keeps the 64 connections from marching in step.
  function delay()
    return math.random(math.floor(pace_ms * 0.5), math.floor(pace_ms * 1.5))
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d,"mean":%.1f}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50.0), latency:percentile(90.0), latency:percentile(99.0),
    latency:percentile(99.9), latency.max, latency.mean))
end
