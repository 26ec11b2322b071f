-- Strings: string.format, string.rep, patterns with find, match, gmatch
-- and gsub, byte and char, and utf8.

print(string.format("%.3f %.3f %.3f", math.pi, -2 / 3, 1e-4))
print(string.format("%g %g %g %g %g", 1e20, 1e-5, 123456789, 0.1, 100))
print(string.format("%e %.2e %E", 12345.678, -0.000123, 6.02e23))
print(string.format("%5d|%-5d|%05d|%+d|%x|%X|%o", 42, 42, 42, 42, 255, 255, 8))
print(string.format("%10.4s|%-8s|%s", "abcdefgh", "left", "plain"))
print(string.format("%q", 'a "quoted"\n\0 string\t'))
print(string.format("%q %q %q", 1 / 3, 42, math.mininteger))
print(string.format("%c%c%c", 76, 117, 97))
print(string.format("%i %u %%", -7, 7))
print(string.format("%.14g %.17g", 0.1 + 0.2, 0.1 + 0.2))

print(string.rep("ab", 5), string.rep("x", 3, "-"), string.rep("z", 0) == "")
print(#string.rep("0123456789", 1000))

local s = "The quick brown fox jumps over the lazy dog"
print(s:upper(), s:lower(), s:len(), s:reverse())
print(s:sub(5, 9), s:sub(-3), s:sub(-8, -5), s:sub(100) == "")
print(s:find("fox"), s:find("o", 20), s:find("%s(%a+)%s"), s:find(".", 1, true))
print(s:match("(%a+) fox"), s:match("(%a+)$"), s:match("^(%w+)"))

local words = {}
for w in s:gmatch("%a+") do
    words[#words + 1] = w
end
print(#words, table.concat(words, ","))

print(s:gsub("o", "0"))
print(s:gsub("%w+", "<%0>", 3))
print(("hello world"):gsub("(%w+) (%w+)", "%2 %1"))
print(("abc=1, de=22, f=333"):gsub("(%w+)=(%d+)", function(k, v)
    return v .. ":" .. k
end))
print(("$name is $age"):gsub("%$(%w+)", {name = "Lua", age = 31}))
print(("  trim me  "):gsub("^%s*(.-)%s*$", "%1"))
print(("x = [[nested]] y"):gsub("%[%[(.-)%]%]", "%%%1%%"))
print(("THE (quick) fox"):find("%((%a+)%)"))
print(("key: value"):match("^(%w+):%s*(.+)$"))
print(("2024-01-15"):match("(%d+)-(%d+)-(%d+)"))
print(("f(a(b)c)d"):match("%b()"), ("hello"):match(".-(l+)"))
print(("THE (quick) fox"):gsub("%f[%a]%a+", string.lower))

print(string.byte("ABC", 1, -1), string.char(72, 105))
print(utf8.char(72, 228, 8364, 128512), utf8.len("h\u{E4}\u{20AC}"))
for p, c in utf8.codes("a\u{E9}\u{4E2D}") do
    io.write(p, ":", c, " ")
end
print()
print(tostring(12), tostring(1.5), tostring(-0.0), 10 // 3 .. "")
print(("%d items"):format(3), ("abc"):rep(2, "|"))
print(#"\u{10FFFF}", "\65\066\x43", "tab\tend")
