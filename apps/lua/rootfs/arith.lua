-- Integer and float arithmetic: floor division and modulo with negative
-- operands, integer overflow wrap-around, conversions, math.floor, ceil,
-- fmod, huge, NaN, and float printing.

print(7 // 2, -7 // 2, 7 // -2, -7 // -2, 7.0 // 2, -7.5 // 2)
print(7 % 3, -7 % 3, 7 % -3, -7 % -3, 5.5 % 2, -5.5 % 2)
print(1 / 0, -1 / 0, 2 ^ 10, 2 ^ 0.5, 10 / 4, 3 / 3)
print(0.1 + 0.2, 0.1 + 0.2 == 0.3, math.abs(0.1 + 0.2 - 0.3) < 1e-15)
print(math.floor(3.7), math.floor(-3.7), math.ceil(3.2), math.ceil(-3.2))
print(math.floor(5), math.type(math.floor(2.0)), math.type(2.0), math.type(2))
print(math.huge, -math.huge, math.huge > 1e308, math.type(math.huge))
print(math.maxinteger, math.mininteger, math.maxinteger + 1 == math.mininteger)
print(math.maxinteger * 2, math.mininteger // -1, math.ult(1, -1))
print(math.fmod(7, 3), math.fmod(-7, 3), math.fmod(7, -3), math.fmod(5.5, 2))
print(math.max(3, 9, 1), math.min(3, 9, 1), math.max(1.5, 2), math.min(-0.0, 0))
print(math.sqrt(16), math.sqrt(2), math.abs(-5), math.abs(math.mininteger))
print(math.tointeger(3.0), math.tointeger(3.5), math.tointeger("8"), 3 | 0)
print(string.format("%.10f %.10f", math.sin(1), math.cos(1)))
print(string.format("%.10f %.10f %.10f", math.exp(1), math.log(10), math.log(8, 2)))
print(string.format("%.10f", math.atan(1, 2)), math.pi)
print(1e15, 1e16, 123456789012345678, 2 ^ 53, 2 ^ 63, -2 ^ 63)
print(0x10, 0xff, 0x7fffffffffffffff, 0xffffffffffffffff, 1e2, .5)
print(3 & 5, 3 | 5, 3 ~ 5, ~0, 1 << 62, 1 << 63, 1 << 64, -1 >> 1)
print(10 == 10.0, "10" + 5, "3.5" * 2, 10 .. 20, tonumber("0x1p4"))
print(tonumber("  42  "), tonumber("z", 36), tonumber("777", 8), tonumber("1e1"))
print(tonumber("abc"), tonumber(""), tonumber("10", 2), math.type(tonumber("10")))
local nan = 0 / 0
print(nan ~= nan, nan == nan, math.huge - math.huge ~= math.huge - math.huge)
print(-0.0 == 0.0, 1 / -0.0, 3 % math.huge, -3 % math.huge)
print(100000000000000, 1e100, 5 // 0.0, -5 // 0.0, 2 ^ -1074)
local function where(ok, msg)
    return ok, (tostring(msg):gsub("^[^:]*:(%d+):", "line %1:"))
end
print(where(pcall(function() return 1 // 0 end)))
print(where(pcall(function() return 1 % 0 end)))

local acc = 0
for i = 1, 1000000 do acc = acc + i % 7 end
print(acc)
local f = 0.0
for i = 1, 1000 do f = f + 1 / i end
print(string.format("%.12f", f), f)
math.randomseed(42)
local r = {}
for i = 1, 5 do r[i] = math.random(1, 1000) end
print(table.concat(r, " "), math.random(0) ~= nil)
for i = 1, 3 do
    local x = math.random()
    io.write(tostring(x >= 0 and x < 1), " ")
end
print()
