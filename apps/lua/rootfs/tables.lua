-- Tables: sort (default and with a comparator), insert, remove, concat,
-- unpack, move, the length operator, and pairs with its keys sorted so
-- that the order does not depend on the hash layout.

local t = {5, 2, 8, 1, 9, 3, 7, 4, 6, 0}
table.sort(t)
print(table.concat(t, " "))
table.sort(t, function(a, b) return a > b end)
print(table.concat(t, " "))

local names = {"pear", "apple", "fig", "banana", "cherry"}
table.sort(names)
print(table.concat(names, ", "))
table.sort(names, function(a, b)
    if #a ~= #b then return #a < #b end
    return a < b
end)
print(table.concat(names, ", "))

local list = {}
for i = 1, 10 do table.insert(list, i * i) end
table.insert(list, 1, 0)
table.insert(list, 5, -1)
print(#list, table.concat(list, ","))
print(table.remove(list), table.remove(list, 1), table.remove(list, 4))
print(#list, table.concat(list, ","))
print(table.concat(list, "-", 2, 4), table.concat({}, "x") == "")
print(table.unpack({1, 2, 3}))
print(select("#", table.unpack({1, nil, 3}, 1, 3)), select(2, "a", "b", "c"))
print(table.concat(table.move({1, 2, 3, 4, 5}, 2, 4, 1), ","))
print(table.pack(1, 2, nil).n)

local records = {}
for i = 1, 50 do
    records[i] = {id = i, score = (i * 37) % 11, name = "n" .. i}
end
table.sort(records, function(a, b)
    if a.score ~= b.score then return a.score > b.score end
    return a.id < b.id
end)
local top = {}
for i = 1, 8 do top[i] = records[i].name .. "=" .. records[i].score end
print(table.concat(top, " "))

local function sorted_keys(tbl)
    local keys = {}
    for k in pairs(tbl) do keys[#keys + 1] = k end
    table.sort(keys, function(a, b)
        if type(a) ~= type(b) then return type(a) < type(b) end
        return a < b
    end)
    return keys
end

local mixed = {10, 20, 30, x = 1, y = 2, name = "tbl", [100] = "far",
               [2.5] = "float", ["with space"] = true}
for _, k in ipairs(sorted_keys(mixed)) do
    io.write(tostring(k), "=", tostring(mixed[k]), "; ")
end
print()

local count = 0
local big = {}
for i = 1, 1000 do big["k" .. i] = i end
for k, v in pairs(big) do count = count + v end
print(count, #sorted_keys(big), sorted_keys(big)[1], sorted_keys(big)[1000])

local inverse = {}
for i, v in ipairs({"a", "b", "c"}) do inverse[v] = i end
for _, k in ipairs(sorted_keys(inverse)) do io.write(k, inverse[k], " ") end
print()

local mt = {__index = function(_, k) return k .. "!" end,
            __len = function() return 42 end,
            __tostring = function() return "<proxy>" end}
local proxy = setmetatable({}, mt)
print(proxy.hello, #proxy, tostring(proxy), rawlen(proxy), rawget(proxy, "x"))

local grid = {}
for r = 1, 3 do
    grid[r] = {}
    for c = 1, 3 do grid[r][c] = r * c end
end
for r = 1, 3 do print(table.concat(grid[r], " ")) end
print(next({}), type(next({1})), #{1, 2, 3, nil}, #{n = 1})
