# SPDX-License-Identifier: BSD-3-Clause
"""Find the syscall numbers that machine code can pass to the kernel, by
constant propagation over objdump's disassembly of each function.

A syscall site is a `syscall` instruction, or a call of (or jump to) a
function that passes one of its own arguments on as the number, such as
musl's syscall(), __syscall_cp() and __syscall_cp_asm. Those wrapper
functions are found by the analysis, not by name. Each function is
analysed on its own. At its entry, each argument register contains that
argument and every other register is unknown. Register moves, constants,
xor-zeroing and conditional moves are followed along every branch. A
value loaded from memory, or computed, is unknown, and a site with an
unknown number is reported as unresolved.
"""

import collections
import re
import subprocess

ARGUMENT_REGISTERS = ("rdi", "rsi", "rdx", "rcx", "r8", "r9")
CALLER_SAVED = ("rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11")
# Beyond this many possible constants a register counts as unknown, which
# keeps the propagation finite around loops.
MAX_VALUES = 16
UNKNOWN = "unknown"
NOTHING_KNOWN = frozenset([UNKNOWN])

Instruction = collections.namedtuple("Instruction",
                                     "address mnemonic operands target")
Function = collections.namedtuple("Function", "name address instructions")
# A site: the function it is in, its address, and the possible numbers
# (ints, ("arg", register) for a number passed in by the caller, UNKNOWN).
Site = collections.namedtuple("Site", "function address values")

PREFIXES = {"lock", "rep", "repz", "repe", "repnz", "repne", "notrack",
            "bnd", "data16", "cs", "ds", "es", "ss", "fs", "gs", "addr32"}
# Mnemonics that write no general-purpose register.
NO_WRITE = re.compile(r"^(cmp[bwlq]?|test[bwlq]?|bt[lq]?|push[lq]?|"
                      r"nop[wl]?|retq?|ud2|hlt|endbr64|pause|[lms]fence|"
                      r"prefetch\w*|v?u?comis[sd])$")
MOVES = {"mov", "movl", "movq", "movabs", "movabsq", "movslq", "movsbl",
         "movsbq", "movswl", "movswq", "movzbl", "movzbq", "movzwl", "movzwq",
         "movsxd"}
ZEROING = {"xor", "xorl", "xorq", "sub", "subl", "subq"}
# Registers written without being named as the destination, by mnemonic
# without its size suffix. A one-operand imul writes %rax and %rdx too.
IMPLICIT_WRITES = {
    "cltq": ("rax",), "cwtl": ("rax",), "cltd": ("rdx",), "cqto": ("rdx",),
    "cpuid": ("rax", "rbx", "rcx", "rdx"), "rdtsc": ("rax", "rdx"),
    "rdtscp": ("rax", "rcx", "rdx"), "xgetbv": ("rax", "rdx"),
    "mul": ("rax", "rdx"), "div": ("rax", "rdx"), "idiv": ("rax", "rdx"),
    "cmpxchg": ("rax",), "lahf": ("rax",), "leave": ("rbp",),
}
STRING_OPERANDS = ("%es:(%rdi)", "%ds:(%rsi)")

LABEL_LINE = re.compile(r"^([0-9a-f]+) <(.+)>:$")
INSTRUCTION_LINE = re.compile(r"^\s+([0-9a-f]+):\s+(.*)$")
DIRECT_TARGET = re.compile(r"^([0-9a-f]+) <")


def register_names():
    """Map each general-purpose register name (%eax, %r8d, %sil, ...) to
    (64-bit register, width in bits)."""
    names = {}
    for r in "abcd":
        names.update({f"r{r}x": (f"r{r}x", 64), f"e{r}x": (f"r{r}x", 32),
                      f"{r}x": (f"r{r}x", 16), f"{r}l": (f"r{r}x", 8),
                      f"{r}h": (f"r{r}x", 0)})
    for r in ("si", "di", "bp", "sp"):
        names.update({f"r{r}": (f"r{r}", 64), f"e{r}": (f"r{r}", 32),
                      r: (f"r{r}", 16), f"{r}l": (f"r{r}", 8)})
    for n in range(8, 16):
        names.update({f"r{n}": (f"r{n}", 64), f"r{n}d": (f"r{n}", 32),
                      f"r{n}w": (f"r{n}", 16), f"r{n}b": (f"r{n}", 8)})
    return names


REGISTERS = register_names()


def register(operand):
    """Return (64-bit register, width) for a register operand, else None.
    A width of 0 is a high byte register (%ah)."""
    if operand.startswith("%"):
        return REGISTERS.get(operand[1:])
    return None


def immediate(operand):
    if operand.startswith("$"):
        try:
            return int(operand[1:], 0)
        except ValueError:
            return None
    return None


def split_operands(text):
    """Split AT&T operands at the commas outside parentheses."""
    parts, depth, current = [], 0, ""
    for ch in text:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if ch == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += ch
    if current.strip():
        parts.append(current.strip())
    return parts


def parse_instruction(address, text):
    """Parse one line of objdump's disassembly (without raw bytes)."""
    text = text.split("#", 1)[0].strip()
    words = text.split(None, 1)
    while words and words[0] in PREFIXES:
        words = words[1].split(None, 1) if len(words) > 1 else []
    if not words:
        return Instruction(address, "nop", [], None)
    mnemonic = {"callq": "call", "jmpq": "jmp", "retq": "ret"}.get(words[0],
                                                                    words[0])
    rest = words[1] if len(words) > 1 else ""
    m = DIRECT_TARGET.match(rest)
    branch = mnemonic == "call" or mnemonic.startswith("j")
    target = int(m.group(1), 16) if m and branch else None
    return Instruction(address, mnemonic, split_operands(rest), target)


def parse_disassembly(text):
    """Split `objdump -d --no-show-raw-insn` output into functions."""
    functions = []
    for line in text.splitlines():
        m = LABEL_LINE.match(line)
        if m:
            functions.append(Function(m.group(2), int(m.group(1), 16), []))
            continue
        m = INSTRUCTION_LINE.match(line)
        if m and functions and not m.group(2).startswith("(bad)"):
            functions[-1].instructions.append(
                parse_instruction(int(m.group(1), 16), m.group(2)))
    return [f for f in functions if f.instructions]


def disassemble(path, ranges):
    """Disassemble the address ranges [start, end) of the ELF file."""
    functions = []
    for start, end in ranges:
        out = subprocess.run(
            ["objdump", "-d", "-w", "--no-show-raw-insn",
             f"--start-address={start:#x}", f"--stop-address={end:#x}", path],
            capture_output=True, text=True, check=True).stdout
        functions += parse_disassembly(out)
    return functions


# --- Values and states -----------------------------------------------------


def limit(values):
    if len(values) > MAX_VALUES:
        return NOTHING_KNOWN
    return frozenset(values)


def truncate(values, width):
    """Keep the low width bits of each constant, as a write of a 32-bit
    register (which zero-extends) does."""
    if width >= 64:
        return values
    mask = (1 << width) - 1
    return frozenset(v & mask if isinstance(v, int) else v for v in values)


def merge(a, b):
    """Join two register states where control flow meets."""
    merged = {}
    for reg in a.keys() | b.keys():
        merged[reg] = limit(a.get(reg, NOTHING_KNOWN) |
                            b.get(reg, NOTHING_KNOWN))
    return merged


def write(state, operand, values):
    """Store values into a register operand. A partial (8 or 16 bit)
    write of a known constant combines with the rest of the register."""
    reg, width = register(operand)
    state = dict(state)
    if width >= 32:
        state[reg] = truncate(values, width)
    else:
        state[reg] = partial_write(state.get(reg, NOTHING_KNOWN), values,
                                   width)
    return state


def partial_write(old, new, width):
    if width == 0 or not all(isinstance(v, int) for v in old | new):
        return NOTHING_KNOWN
    mask = (1 << width) - 1
    return limit({(o & ~mask) | (n & mask) for o in old for n in new})


def clobber(state, registers):
    state = dict(state)
    for reg in registers:
        state[reg] = NOTHING_KNOWN
    return state


def value_of(state, operand):
    """Return the possible values of a source operand."""
    number = immediate(operand)
    if number is not None:
        return frozenset([number])
    reg = register(operand)
    if reg is None or reg[1] == 0:
        return NOTHING_KNOWN
    return truncate(state.get(reg[0], NOTHING_KNOWN), reg[1])


# --- Transfer function -----------------------------------------------------


def step(instruction, state, wrappers, record):
    """Apply one instruction to a register state. record(values) is
    called at each syscall site with the possible numbers."""
    m, ops = instruction.mnemonic, instruction.operands
    if m == "syscall":
        record(state.get("rax", NOTHING_KNOWN))
        return clobber(state, ("rax", "rcx", "r11"))
    if m == "call" or m.startswith("j"):
        return control_transfer(instruction, state, wrappers, record)
    if NO_WRITE.match(m):
        return state
    destination = ops[-1] if ops and register(ops[-1]) else None
    if m in MOVES and len(ops) == 2:
        return write(state, destination, value_of(state, ops[0])) \
            if destination else state
    if m in ZEROING and len(ops) == 2 and ops[0] == ops[1] and destination:
        return write(state, destination, frozenset([0]))
    if m.startswith("cmov") and len(ops) == 2 and destination:
        both = value_of(state, ops[0]) | value_of(state, destination)
        return write(state, destination, limit(both))
    return clobber_written(instruction, state)


def control_transfer(instruction, state, wrappers, record):
    """Apply a call or jump. One that goes to a wrapper (a function that
    passes an argument on as the syscall number) is a syscall site."""
    for reg in wrappers.get(instruction.target, ()):
        record(state.get(reg, NOTHING_KNOWN))
    if instruction.mnemonic == "call":
        return clobber(state, CALLER_SAVED)
    return state


def clobber_written(instruction, state):
    """Forget what an instruction may write: its destination register,
    both operands of an exchange, and registers written implicitly."""
    m, ops = instruction.mnemonic, instruction.operands
    written = set(IMPLICIT_WRITES.get(m, ()))
    if m[-1:] in ("b", "w", "l", "q"):
        written |= set(IMPLICIT_WRITES.get(m[:-1], ()))
    if any(op in STRING_OPERANDS for op in ops):
        written |= {"rax", "rcx", "rdi", "rsi"}
    targets = ops if m.startswith(("xchg", "xadd")) else ops[-1:]
    for op in targets:
        reg = register(op)
        if reg:
            written.add(reg[0])
    if m in ("imul", "imulb", "imulw", "imull", "imulq") and len(ops) == 1:
        written |= {"rax", "rdx"}
    return clobber(state, written)


# --- Propagation over one function ------------------------------------------


def successors(function, index, positions):
    """Return the instruction indexes that may run after instruction
    index, within the function."""
    instruction = function.instructions[index]
    m = instruction.mnemonic
    inside = positions.get(instruction.target)
    if m == "ret" or m == "ud2" or m == "hlt":
        return []
    if m == "jmp":
        return [inside] if inside is not None else []
    following = [index + 1] if index + 1 < len(function.instructions) else []
    if m.startswith("j") and inside is not None:
        return following + [inside]
    return following


def is_padding(instruction):
    return instruction.mnemonic in ("nop", "nopw", "nopl", "int3")


def branch_targets(function):
    return {ins.target for ins in function.instructions}


def refine(function, index, successor, state, targets):
    """Narrow a state along one edge of a conditional jump that follows
    `test %r,%r` or `cmp $N,%r`. On the edge where they were equal, r is
    0 or N, which compilers use to load a syscall number (read is 0). A
    jump that other branches also reach may test other flags, so it is
    left alone."""
    jump = function.instructions[index]
    if index == 0 or jump.mnemonic not in ("je", "jz", "jne", "jnz"):
        return state
    if jump.address in targets:
        return state
    jumped = successor != index + 1
    if jumped != (jump.mnemonic in ("je", "jz")):
        return state
    flags = function.instructions[index - 1]
    if len(flags.operands) != 2 or not register(flags.operands[1]):
        return state
    first, second = flags.operands
    if flags.mnemonic.startswith("test") and first == second:
        return write(state, second, frozenset([0]))
    if flags.mnemonic.startswith("cmp") and immediate(first) is not None:
        return write(state, second, frozenset([immediate(first)]))
    return state


def propagate(function, wrappers):
    """Compute the register state before each instruction. Instructions
    reached only through indirect jumps start with nothing known. The
    padding between the blocks of a function is not taken as such a start
    because it would flow into the next block with nothing known."""
    positions = {ins.address: i for i, ins in enumerate(function.instructions)}
    targets = branch_targets(function)
    states = [None] * len(function.instructions)
    entry = {reg: frozenset([("arg", reg)]) for reg in ARGUMENT_REGISTERS}
    seeds = iter(range(len(states)))
    work = [(0, entry)]
    while True:
        while work:
            index, incoming = work.pop()
            old = states[index]
            new = incoming if old is None else merge(old, incoming)
            if new == old:
                continue
            states[index] = new
            out = step(function.instructions[index], new, wrappers,
                       lambda values: None)
            for s in successors(function, index, positions):
                work.append((s, refine(function, index, s, out, targets)))
        index = next((i for i in seeds if states[i] is None and
                      not is_padding(function.instructions[i])), None)
        if index is None:
            return states
        work = [(index, {})]


def function_sites(function, wrappers):
    """Return the syscall sites of one function."""
    states = propagate(function, wrappers)
    sites = []
    for instruction, state in zip(function.instructions, states):
        if state is None:
            continue

        def record(values, address=instruction.address):
            sites.append(Site(function.name, address, values))
        step(instruction, state, wrappers, record)
    return sites


# --- The whole program ------------------------------------------------------


def callers_of(functions):
    """Map each function address to the functions that call or jump to
    it."""
    callers = collections.defaultdict(set)
    for f in functions:
        for instruction in f.instructions:
            if instruction.target is not None:
                callers[instruction.target].add(f.address)
    return callers


def argument_registers(sites):
    """Return the argument registers that reach a site as its number."""
    return {v[1] for site in sites for v in site.values
            if isinstance(v, tuple) and v[0] == "arg"}


def find_sites(functions):
    """Return every syscall site of the functions, after finding the
    wrappers that take the number as an argument (which needs passes
    until no new wrapper appears)."""
    by_address = {f.address: f for f in functions}
    callers = callers_of(functions)
    wrappers = {}
    sites = {}
    todo = set(by_address)
    while todo:
        changed = set()
        for address in todo:
            sites[address] = function_sites(by_address[address], wrappers)
            registers = argument_registers(sites[address])
            if registers != wrappers.get(address, set()):
                wrappers[address] = registers
                changed.add(address)
        todo = set()
        for address in changed:
            todo |= callers[address]
    return [s for address in sorted(sites) for s in sites[address]]


Reach = collections.namedtuple("Reach", "numbers unresolved")


def summarize(sites):
    """Return a Reach: {number: [functions]} for the constant numbers, and
    the sites whose number is unknown. A site whose number is an argument
    is a wrapper, and its callers' sites are counted instead."""
    numbers = collections.defaultdict(list)
    unresolved = []
    for site in sites:
        for v in site.values:
            if isinstance(v, int) and site.function not in numbers[v]:
                numbers[v].append(site.function)
        if UNKNOWN in site.values:
            unresolved.append(site)
    return Reach(dict(numbers), unresolved)
