-- The io library: io.open a file under /tmp, write, read it back with
-- every format, seek, io.lines with formats, append mode, errors from
-- missing files, and io.write to standard output.

local path = os.tmpname()
print(path:sub(1, 5))

local f = assert(io.open(path, "w"))
print(io.type(f), io.type(io.stdout), io.type(42))
f:write("first line\n", "second line\n", 42, " ", 3.5, "\n")
for i = 1, 100 do f:write("line ", i, "\n") end
f:write("no newline at the end")
print(f:close(), io.type(f))

f = assert(io.open(path, "r"))
print(f:read("l"))
print(f:read("L"))
print(f:read("n", "n"))
print(f:read(5), f:read(0))
print(f:seek("cur"), f:seek("set", 6), f:read(4))
print(f:seek("end"), f:read(1), f:read(0))
f:seek("set")
local all = f:read("a")
print(#all, select(2, all:gsub("\n", "")))
f:close()

local n, total = 0, 0
for line in io.lines(path) do
    n = n + 1
    total = total + #line
end
print(n, total)

local nums = 0
for a, b in io.lines(path, 5, "l") do
    nums = nums + 1
    if nums <= 3 then print(a, b) end
end
print(nums)

f = assert(io.open(path, "a"))
f:write("\nappended")
f:close()
local last
for line in io.lines(path) do last = line end
print(last)

f = assert(io.open(path, "r+"))
f:write("FIRST")
f:seek("set")
print(f:read("l"))
f:close()

f = assert(io.open(path, "w"))
print(f:setvbuf("full", 1024), f:write(string.rep("x", 5000)) == f)
f:close()
f = assert(io.open(path, "rb"))
print(#f:read("a"), f:read("a"), f:read("l"), f:read("n"))
f:close()

print(os.rename(path, path .. ".renamed"))
local missing, message, code = io.open(path, "r")
print(missing, message == path .. ": No such file or directory", code)
print(os.remove(path .. ".renamed"))
print(io.open("/tmp/no/such/dir/file.txt", "w"))
print(pcall(io.lines, "/no/such/file"))
print(pcall(io.open, path, "invalid"))

io.write("written ", "with ", "io.write", "\n")
io.stdout:write("and io.stdout:write\n")
print(io.output() == io.stdout)
