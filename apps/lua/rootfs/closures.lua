-- Closures and upvalues: counters with private state, upvalues shared
-- between closures, loop variables captured per iteration, recursion
-- through a local function and varargs.

local function counter(start, step)
    local n = start
    return function()
        n = n + step
        return n
    end
end

local a, b = counter(0, 1), counter(100, -10)
print(a(), a(), a(), b(), b(), a())

local function account(balance)
    local function deposit(x) balance = balance + x; return balance end
    local function withdraw(x)
        if x > balance then return nil, "insufficient funds" end
        balance = balance - x
        return balance
    end
    local function get() return balance end
    return deposit, withdraw, get
end

local deposit, withdraw, get = account(50)
print(deposit(25), withdraw(30), withdraw(100), get())

local fns = {}
for i = 1, 5 do fns[i] = function() return i * 10 end end
local out = {}
for i = 1, 5 do out[i] = fns[i]() end
print(table.concat(out, " "))

local shared = {}
do
    local x = 0
    shared.inc = function() x = x + 1 end
    shared.get = function() return x end
end
for _ = 1, 7 do shared.inc() end
print(shared.get())

local function fib(n)
    if n < 2 then return n end
    return fib(n - 1) + fib(n - 2)
end
print(fib(20))

local memo = {}
local function mfib(n)
    if n < 2 then return n end
    if memo[n] then return memo[n] end
    local v = mfib(n - 1) + mfib(n - 2)
    memo[n] = v
    return v
end
print(mfib(80))

local function compose(...)
    local fs = {...}
    return function(x)
        for i = #fs, 1, -1 do x = fs[i](x) end
        return x
    end
end
local inc = function(x) return x + 1 end
local dbl = function(x) return x * 2 end
print(compose(inc, dbl)(5), compose(dbl, inc)(5), compose()(7))

local function varargs(...)
    return select("#", ...), ...
end
print(varargs(1, nil, 3, nil))

local function curry(f, x) return function(y) return f(x, y) end end
print(curry(math.max, 3)(9), curry(string.rep, "ab")(3))

local upvalue_name = debug.getupvalue(a, 1)
print(upvalue_name, select(2, debug.getupvalue(a, 1)))

local function make_tail(n)
    if n == 0 then return "done" end
    return make_tail(n - 1)
end
print(make_tail(100000))
