-- wrk's script for every endpoint of bench/http.py (Debian's wrk 4, LuaJIT).
--
-- Configured through the environment, which every thread's Lua state can read:
--   BENCH_METHOD     GET or POST
--   BENCH_PATHS      a file of request paths, one a line; the threads take turns over them
--                    (each thread starts at its own place), so one dossier is not read over
--                    and over from a warm cache
--   BENCH_HEADERS    a file of "Name: value" lines sent with every request
--   BENCH_BODY       a file whose content is every request's body (empty: no body)
--   BENCH_FORWARDED  "1": each request comes from another citizen, as the reverse proxy
--                    says in X-Forwarded-For (4,096 addresses per thread)
--
-- done() prints one line "BENCH_JSON {...}": requests, seconds, latency percentiles in
-- milliseconds (wrk's own --latency has no p95), the answers that were not 2xx by status,
-- and socket errors (connect, read, write, time-outs).

local threads = {}
local count = 0

function setup(thread)
    thread:set("id", count)
    table.insert(threads, thread)
    count = count + 1
end

local method = os.getenv("BENCH_METHOD") or "GET"
local forwarded = os.getenv("BENCH_FORWARDED") == "1"
local paths = {}
local headers = {}
local body = nil
local turn = 0
-- Read back by done() through thread:get().
errors = 0
statuses = {}

local function read_all(name)
    local handle = assert(io.open(name, "rb"))
    local content = handle:read("*a")
    handle:close()
    return content
end

function init(args)
    for line in io.lines(os.getenv("BENCH_PATHS")) do
        if line ~= "" then
            table.insert(paths, line)
        end
    end
    for line in io.lines(os.getenv("BENCH_HEADERS")) do
        local name, value = line:match("^([^:]+):%s*(.*)$")
        if name then
            headers[name] = value
        end
    end
    local body_file = os.getenv("BENCH_BODY") or ""
    if body_file ~= "" then
        body = read_all(body_file)
    end
    -- Each thread starts its turn over the paths at its own place.
    turn = math.floor(#paths * id / 2)
end

function request()
    turn = turn + 1
    if forwarded then
        local n = turn % 4096
        headers["X-Forwarded-For"] =
            string.format("10.%d.%d.%d", id % 256, math.floor(n / 256), n % 256)
    end
    return wrk.format(method, paths[(turn % #paths) + 1], headers, body)
end

function response(status, response_headers, response_body)
    if status < 200 or status > 299 then
        errors = errors + 1
        statuses[status] = (statuses[status] or 0) + 1
    end
end

function done(summary, latency, requests)
    local bad = 0
    local by_status = {}
    for _, thread in ipairs(threads) do
        bad = bad + thread:get("errors")
        for status, n in pairs(thread:get("statuses")) do
            by_status[status] = (by_status[status] or 0) + n
        end
    end
    local parts = {}
    for status, n in pairs(by_status) do
        table.insert(parts, string.format('"%d": %d', status, n))
    end
    local socket = summary.errors.connect + summary.errors.read + summary.errors.write
        + summary.errors.timeout
    io.write(string.format(
        'BENCH_JSON {"requests": %d, "seconds": %.6f, "p50": %.3f, "p95": %.3f, '
            .. '"p99": %.3f, "max": %.3f, "non_2xx": %d, "statuses": {%s}, "socket_errors": %d}\n',
        summary.requests,
        summary.duration / 1e6,
        latency:percentile(50) / 1000,
        latency:percentile(95) / 1000,
        latency:percentile(99) / 1000,
        latency.max / 1000,
        bad,
        table.concat(parts, ", "),
        socket
    ))
end
