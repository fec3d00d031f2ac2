-- wrk script: many signed-in people loading one page, each request as the next person.
--
--   wrk -t<threads> ... -s bench/compare.lua <page url> -- <people file> <threads> <cookie name>
--
-- Each line of the people file is "<session token>". Thread n (from 0) takes
-- lines n, n + threads, n + 2 * threads, ... and goes round them. done()
-- prints one line "status <code> <count>" for each status answered.

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  local path, count, cookie = args[1], tonumber(args[2]), args[3]
  pages, statuses, sent = {}, {}, 0
  local line_number = 0
  for line in io.lines(path) do
    if line_number % count == id then
      local token = line:match("^(%S+)$")
      table.insert(pages, wrk.format("GET", wrk.path, { ["Cookie"] = cookie .. "=" .. token }))
    end
    line_number = line_number + 1
  end
  if #pages == 0 then
    error("no people for thread " .. id .. " in " .. path)
  end
end

function request()
  sent = sent + 1
  return pages[(sent - 1) % #pages + 1]
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
