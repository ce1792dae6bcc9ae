-- wrk script for the search benchmark: each request takes the next query of BENCH_QUERIES (separated by
-- "|", already URL-encoded) after BENCH_PATH, then the same report line as wrk_report.lua.
dofile(os.getenv("BENCH_DIR") .. "/wrk_report.lua")

local queries = {}
for q in string.gmatch(os.getenv("BENCH_QUERIES") or "", "([^|]+)") do
  queries[#queries + 1] = q
end
local path = os.getenv("BENCH_PATH")
local counter = 0

function request()
  counter = counter + 1
  return wrk.format("GET", path .. queries[(counter % #queries) + 1])
end
