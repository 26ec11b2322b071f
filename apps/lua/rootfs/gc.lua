-- Garbage collector stress: many short-lived tables and strings, long
-- linked lists, weak tables cleared by full collections, finalizers
-- (__gc) counted after a collection, and generational and incremental
-- modes. Memory counts are only compared, never printed.

local before = collectgarbage("count")
print(type(before), before > 0)

local keep = {}
for i = 1, 200000 do
    local t = {i, tostring(i), {i}}
    if i % 1000 == 0 then keep[#keep + 1] = t end
end
print(#keep, keep[50][2], keep[200][3][1])

local parts = {}
for i = 1, 20000 do parts[i] = string.rep(string.char(65 + i % 26), i % 50) end
local joined = table.concat(parts)
print(#joined)
parts = nil

local list
for i = 1, 100000 do list = {value = i, next = list} end
local n, sum = 0, 0
while list do n = n + 1; sum = sum + list.value; list = list.next end
print(n, sum)

collectgarbage("collect")
local weak = setmetatable({}, {__mode = "k"})
local strong = {}
for i = 1, 100 do
    local key = {}
    weak[key] = i
    if i % 10 == 0 then strong[#strong + 1] = key end
end
collectgarbage("collect")
local left = 0
for _ in pairs(weak) do left = left + 1 end
print("weak keys left", left)

local weakv = setmetatable({}, {__mode = "v"})
for i = 1, 50 do weakv[i] = {i} end
weakv[51] = strong
collectgarbage("collect")
local vleft = 0
for _ in pairs(weakv) do vleft = vleft + 1 end
print("weak values left", vleft)

local finalized = 0
for i = 1, 500 do
    setmetatable({}, {__gc = function() finalized = finalized + 1 end})
end
collectgarbage("collect")
collectgarbage("collect")
print("finalized", finalized)

local order = {}
do
    local a = setmetatable({}, {__gc = function() order[#order + 1] = "a" end})
    local b = setmetatable({}, {__gc = function() order[#order + 1] = "b" end})
    local c = setmetatable({}, {__gc = function() order[#order + 1] = "c" end})
end
collectgarbage("collect")
print("finalizer order", table.concat(order))

print(collectgarbage("generational"))
for i = 1, 100000 do local _ = {i} end
print(collectgarbage("incremental"))
for i = 1, 100000 do local _ = tostring(i) .. "x" end
print(collectgarbage("isrunning"), collectgarbage("step", 0) ~= nil)
collectgarbage("stop")
print(collectgarbage("isrunning"))
collectgarbage("restart")
print(collectgarbage("isrunning"))

local cache = {}
for round = 1, 5 do
    for i = 1, 20000 do cache[i] = {round, i, "s" .. i} end
    collectgarbage("step", 100)
end
print(#cache, cache[20000][1], cache[1][3])
cache = nil
collectgarbage("collect")
local after = collectgarbage("count")
print(after > 0, after < 1e6)
