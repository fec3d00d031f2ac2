-- wrk script: many signed-in people voting for ideas and withdrawing their votes.
--
--   wrk -t<threads> ... -s bench/vote.lua <base url> -- <pairs file> <threads> <cookie name>
--
-- Each line of the pairs file is "<session token> <CSRF token> <idea id>": a
-- person and an idea they may vote for and have not voted for yet. Thread n
-- (from 0) takes lines n, n + threads, n + 2 * threads, ... and goes round
-- them in passes: the first pass votes (action=vote), the second withdraws
-- those votes (action=withdraw), and so on, so every request should succeed.
-- A vote and its withdrawal are a whole pass apart, many more requests than
-- the thread's connections, so the vote has been answered before the
-- withdrawal is sent. A 409 (already voted, or no vote to withdraw) means the
-- pair's previous turn did not happen: that request failed, or was lost with a
-- connection the server closed after an error; or, rarely, the two raced.
--
-- The requests are sent as htmx sends them (HX-Request, the CSRF token as the
-- X-CSRF-Token header), so a success is a 200. done() prints one line
-- "status <code> <count>" for each status answered.

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  local path, count, cookie = args[1], tonumber(args[2]), args[3]
  votes, withdrawals, statuses, sent = {}, {}, {}, 0
  local line_number = 0
  for line in io.lines(path) do
    if line_number % count == id then
      local token, csrf, idea = line:match("^(%S+) (%S+) (%d+)$")
      for action, requests in pairs({ vote = votes, withdraw = withdrawals }) do
        local headers = {
          ["Cookie"] = cookie .. "=" .. token,
          ["X-CSRF-Token"] = csrf,
          ["HX-Request"] = "true",
          ["Content-Type"] = "application/x-www-form-urlencoded",
        }
        table.insert(
          requests,
          wrk.format("POST", "/ideas/" .. idea .. "/vote", headers, "action=" .. action)
        )
      end
    end
    line_number = line_number + 1
  end
  if #votes == 0 then
    error("no pairs for thread " .. id .. " in " .. path)
  end
  -- Before the run, wrk calls request() once on its first thread to check the
  -- request it returns, and never sends it: that call must not take a turn.
  checked = id ~= 0
end

function request()
  if not checked then
    checked = true
    return votes[1]
  end
  local pass = math.floor(sent / #votes)
  local index = sent % #votes + 1
  sent = sent + 1
  if pass % 2 == 0 then
    return votes[index]
  end
  return withdrawals[index]
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
