-- The os library: os.time with a table argument (the tests run it with
-- TZ unset in Pogo and TZ=UTC on the host), os.date, os.difftime,
-- os.clock, os.getenv and os.remove of a missing file.

print(os.time({year = 2000, month = 1, day = 1, hour = 0}))
print(os.time({year = 2024, month = 2, day = 29, hour = 12, min = 30, sec = 15}))
print(os.time({year = 1970, month = 1, day = 2, hour = 0}))
print(os.time({year = 2021, month = 13, day = 1, hour = 0}))
print(os.time({year = 2021, month = 3, day = 0}))
local t1 = os.time({year = 2023, month = 6, day = 1, hour = 8})
local t2 = os.time({year = 2023, month = 6, day = 2, hour = 9, min = 1})
print(t2 - t1, os.difftime(t2, t1), math.type(os.difftime(t2, t1)))

print(os.date("!%Y-%m-%d %H:%M:%S", 0))
print(os.date("!%Y-%m-%d %H:%M:%S", 1700000000))
print(os.date("!%A %B %j %y %p", 951782400))
local d = os.date("!*t", 86400 * 365)
print(d.year, d.month, d.day, d.hour, d.min, d.sec, d.wday, d.yday, d.isdst)
local round = os.date("*t", os.time({year = 2010, month = 7, day = 4, hour = 15}))
print(round.year, round.month, round.day, round.hour, round.min, round.wday)
print(os.date("%Y-%m-%d", os.time({year = 2015, month = 12, day = 31})))

local now = os.time()
print(math.type(now), now > 1600000000)
print(os.clock() >= 0, math.type(os.clock()))
local c0 = os.clock()
local x = 0
for i = 1, 200000 do x = x + i end
print(os.clock() >= c0, x)

print(os.getenv("POGO_SURELY_UNSET_VARIABLE"))
print(os.remove("/tmp/this-file-does-not-exist.txt"))
print(pcall(os.date, "%Ez", 0))
print(type(os.tmpname))
