-- Error handling: error with strings, levels and tables, pcall and
-- xpcall with a traceback-free handler, assert, error objects with
-- metatables, runtime errors from the VM, to-be-closed variables, and
-- overflows of the Lua stack and of the C stack. The Lua stack grows to
-- about 70 MB before Lua stops it (the peak RSS of Debian's lua5.4).
-- Positions in messages are reduced to the line number, so that the
-- output does not depend on the script's path.

local function where(msg)
    return (tostring(msg):gsub("^[^:]*:(%d+):", "line %1:"))
end

print(pcall(error, "plain message", 0))
print(where(select(2, pcall(error, "with position"))))
print(type(select(2, pcall(error, {code = 42}))))
print(select(2, pcall(error, {code = 42})).code)
print(pcall(error))
print(pcall(error, nil))

local function level2() error("from the caller", 2) end
local function call_level2() level2() end
print(where(select(2, pcall(call_level2))))

print(where(select(2, pcall(function() local x = nil; return x.field end))))
print(where(select(2, pcall(function() return 1 + {} end))))
print(where(select(2, pcall(function() return #nil end))))
print(where(select(2, pcall(function() return ("x"):bad() end))))
print(where(select(2, pcall(function() return undefined_global() end))))
print(where(select(2, pcall(function() return 1 < "x" end))))
print(where(select(2, pcall(string.rep))))
print(where(select(2, pcall(string.format, "%d", 1.5))))
print(where(select(2, pcall(setmetatable, 1, {}))))

print(pcall(assert, false))
print(pcall(assert, nil, "assertion message"))
print(pcall(assert, 1, 2, 3))

print(xpcall(function() error("handled") end, function(m)
    return "handler got: " .. where(m)
end))
print(xpcall(function(a, b) return a + b end, print, 3, 4))
print(xpcall(function() error({1, 2, 3}) end, function(e) return #e end))

local E = setmetatable({}, {__tostring = function(e) return "E(" .. e.msg .. ")" end})
E.__index = E
local function raise(msg) error(setmetatable({msg = msg}, getmetatable(E))) end
local ok, e = pcall(raise, "custom")
print(ok, tostring(e), e.msg)

local function nested()
    local ok1, err1 = pcall(error, "inner", 0)
    error("outer after " .. err1, 0)
end
print(pcall(nested))

local log = {}
do
    local ok2, err2 = pcall(function()
        local res <close> = setmetatable({}, {__close = function(_, err)
            log[#log + 1] = "closed with " .. where(err)
        end})
        error("in scope", 0)
    end)
    log[#log + 1] = tostring(ok2) .. " " .. err2
end
print(table.concat(log, "; "))

local function deep(n)
    if n == 0 then error("bottom", 0) end
    return deep(n - 1) + 1
end
print(pcall(deep, 150))

local ok3, msg3 = pcall(function()
    local function inf(n) return inf(n + 1) + 1 end
    return inf(1)
end)
print(ok3, (where(msg3):gsub("stack overflow.*", "stack overflow")))

local loop = setmetatable({}, {})
getmetatable(loop).__index = function(t, k) return t[k] end
local ok4, msg4 = pcall(function() return loop.x end)
print(ok4, (where(msg4):gsub("stack overflow.*", "stack overflow")))
print(pcall(load, "return +"))
print(load("syntax error here"))
print(load("return 1 +", "=chunk"))
print(select("#", pcall(error)))
