-- wrk script: similar ideas while a new idea is typed, each request a different text.
--
--   wrk -t<threads> ... -s bench/similar.lua <similar ideas url> -- <seed>
--
-- Each request asks for a title of two words and a summary of six, drawn from the
-- words the benchmark's ideas are made of, so that no two requests are alike and the
-- visitors' page cache answers none of them. done() prints one line
-- "status <code> <count>" for each status answered.

local words = {
  "shared", "garden", "canteen", "bike", "repair", "library", "school", "bus", "neighbour",
  "market", "energy", "heat", "waste", "compost", "tool", "loan", "map", "walk", "cafe",
  "youth", "elders", "volunteer", "street", "light", "water", "river", "tree", "roof",
  "solar", "kitchen", "meal", "bread", "workshop", "skill", "care", "clinic", "park",
  "bench", "play",
}
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(tonumber(args[1] or "1") + id)
  statuses = {}
end

local function some(count)
  local picked = {}
  for n = 1, count do
    picked[n] = words[math.random(#words)]
  end
  return table.concat(picked, "+")
end

function request()
  return wrk.format("GET", wrk.path .. "?title=" .. some(2) .. "&summary=" .. some(6))
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      total[status] = (total[status] or 0) + count
    end
  end
  for status, count in pairs(total) do
    io.write(string.format("status %d %d\n", status, count))
  end
end
