print("Hello from Lua " .. _VERSION:sub(5) .. " on Pogo!")
