-- Coroutines: create, resume, yield with values in both directions,
-- status in each state, wrap as a generator, errors inside a coroutine,
-- isyieldable, running and close.

local co = coroutine.create(function(a, b)
    print("start", a, b)
    local c = coroutine.yield(a + b)
    print("got", c)
    local d, e = coroutine.yield(c * 2)
    print("got", d, e)
    return "finished", d + e
end)

print(coroutine.status(co))
print(coroutine.resume(co, 1, 2))
print(coroutine.status(co))
print(coroutine.resume(co, 10))
print(coroutine.resume(co, 3, 4))
print(coroutine.status(co))
print(coroutine.resume(co))

local function range(n)
    return coroutine.wrap(function()
        for i = 1, n do coroutine.yield(i) end
    end)
end
local sum = 0
for i in range(100) do sum = sum + i end
print("sum", sum)

local function permgen(a, n)
    n = n or #a
    if n <= 1 then
        coroutine.yield(a)
    else
        for i = 1, n do
            a[n], a[i] = a[i], a[n]
            permgen(a, n - 1)
            a[n], a[i] = a[i], a[n]
        end
    end
end
local perms = {}
for p in coroutine.wrap(function() permgen({1, 2, 3}) end) do
    perms[#perms + 1] = table.concat(p)
end
table.sort(perms)
print(#perms, table.concat(perms, " "))

local producer = coroutine.wrap(function()
    for _, w in ipairs({"alpha", "beta", "gamma"}) do coroutine.yield(w) end
    return nil
end)
local got = {}
while true do
    local w = producer()
    if not w then break end
    got[#got + 1] = w:upper()
end
print(table.concat(got, "+"))

local bad = coroutine.create(function() error("inside", 0) end)
print(coroutine.resume(bad))
print(coroutine.status(bad))

local self_status
local outer
outer = coroutine.create(function()
    self_status = coroutine.status(coroutine.running())
    local inner = coroutine.create(function()
        return coroutine.status(outer)
    end)
    return coroutine.resume(inner)
end)
print(coroutine.resume(outer))
print(self_status, coroutine.isyieldable())
print(select(2, coroutine.running()))

local suspended = coroutine.create(function() coroutine.yield() end)
coroutine.resume(suspended)
print(coroutine.close(suspended), coroutine.status(suspended))

local ok, err = pcall(coroutine.wrap(function() error({code = 7}) end))
print(ok, type(err), err.code)

local depth = 0
local function nest(n)
    if n == 0 then return coroutine.yield("bottom") end
    depth = depth + 1
    return nest(n - 1)
end
local deep = coroutine.wrap(nest)
print(deep(500), depth)
