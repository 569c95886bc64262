"""abi.py - read the X-macro lists of the ABI headers (include/uapi/cairn).

Shared by the build helpers that generate code and tables from the ABI:
scripts/gen-kdbg-constants.py (kdbg's constants) and scripts/gen-syscalls.py
(the system-call table, handler prototypes, user stubs and host fake).
An X-macro list is `#define CAIRN_THINGS(X) X(NAME, value, "str", ...) ...`
with comments between entries; the strings are the entry's fields.
"""
import re
import sys

ENTRY = re.compile(r'\bX\(\s*(\w+)\s*,\s*(\w+)\s*((?:,\s*"[^"]*"\s*)*)\)')
STRING = re.compile(r'"([^"]*)"')
# A section marker inside CAIRN_SYSCALLS: "/* ---- title: kernel/FILE.c ..."
SECTION = re.compile(r"/\*\s*----\s*(?:[^*]*?:\s*)?(kernel/\w+\.c)")


# Word names become C identifiers in the generated code.
C_KEYWORDS = set("""auto break case char const continue default do double else enum extern
float for goto if inline int long register restrict return short signed sizeof static struct
switch typedef union unsigned void volatile while _Bool""".split())


class AbiError(Exception):
    pass


def macro_body(text, name, keep_comments=False):
    """The continuation lines of `#define NAME(X) ...`, or None."""
    m = re.search(r"^#define\s+%s\(X\)(.*)$" % name, text, re.M)
    if not m:
        return None
    lines = [m.group(1)]
    last = m.group(1)
    for line in text[m.end() + 1:].split("\n"):
        if not last.rstrip().endswith("\\"):
            break
        lines.append(line)
        last = line
    body = "\n".join(lines)
    return body if keep_comments else re.sub(r"/\*.*?\*/", "", body, flags=re.S)


def parse_list(texts, macro, fields):
    """{value: {"name": NAME, field: string...}} of the list `macro`."""
    for text in texts:
        body = macro_body(text, macro)
        if body is None:
            continue
        table = {}
        for m in ENTRY.finditer(body):
            value = int(m.group(2), 0)
            strings = STRING.findall(m.group(3))
            entry = {"name": m.group(1)}
            for i, f in enumerate(fields):
                entry[f] = strings[i] if i < len(strings) else ""
            if value in table:
                raise AbiError("%s: value %d twice" % (macro, value))
            table[value] = entry
        if not table:
            raise AbiError("%s has no entries" % macro)
        return table
    raise AbiError("no list %s in the headers" % macro)


class Word:
    """One argument or result word of a call: its name, and for a run of
    words named w0, w1, ... the array it belongs to (base "w", index)."""

    def __init__(self, name, index):
        self.name = name
        self.index = index  # register position, 0..5
        m = re.fullmatch(r"([a-z_]+?)(\d)", name)
        self.base, self.element = (m.group(1), int(m.group(2))) if m else (name, None)


class Syscall:
    def __init__(self, name, number, args, results, handler_file):
        self.name = name            # CAP_COPY
        self.lower = name.lower()   # cap_copy
        self.number = number
        self.handler_file = handler_file
        self.args = words(args, name)
        # "tb: ..." results are task-buffer fields, not registers.
        self.tb_results = results.strip()[3:].strip() if results.strip().startswith("tb:") else ""
        self.results = [] if self.tb_results else words(results, name)


def words(spec, call):
    names = [w.strip() for w in spec.split(",") if w.strip()]
    for n in names:
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", n) or n in C_KEYWORDS:
            raise AbiError("%s: bad word name %r (a C identifier, not a keyword)" % (call, n))
    if len(names) > 6:
        raise AbiError("%s: %d words, registers carry 6" % (call, len(names)))
    if len(set(names)) != len(names):
        raise AbiError("%s: a word name twice" % call)
    out = [Word(n, i) for i, n in enumerate(names)]
    # Numbered words must be a run from 0 to make an array (w0..w3).
    runs = {}
    for w in out:
        if w.element is not None:
            runs.setdefault(w.base, []).append(w)
    for base, run in runs.items():
        if [w.element for w in run] != list(range(len(run))) or \
                run[-1].index - run[0].index != len(run) - 1 or base in names:
            for w in run:
                w.base, w.element = w.name, None
    return out


def syscalls(text):
    """The calls of CAIRN_SYSCALLS in syscalls.h's text, in list order,
    each with the handler file its section names."""
    body = macro_body(text, "CAIRN_SYSCALLS", keep_comments=True)
    if body is None:
        raise AbiError("no CAIRN_SYSCALLS list")
    calls, current, numbers = [], None, set()
    pos = 0
    tokens = sorted([(m.start(), "section", m) for m in SECTION.finditer(body)] +
                    [(m.start(), "entry", m) for m in ENTRY.finditer(body)],
                    key=lambda t: t[0])
    for _, kind, m in tokens:
        if kind == "section":
            current = m.group(1)
            continue
        # An X( inside a comment is prose, not an entry.
        if body.rfind("/*", pos, m.start()) > body.rfind("*/", pos, m.start()):
            continue
        if current is None:
            raise AbiError("%s comes before any '---- ...: kernel/FILE.c' section" % m.group(1))
        strings = STRING.findall(m.group(3))
        if len(strings) != 2:
            raise AbiError("%s: X(NAME, nr, \"args\", \"results\") expected" % m.group(1))
        number = int(m.group(2), 0)
        if number in numbers:
            raise AbiError("%s: number %d twice" % (m.group(1), number))
        numbers.add(number)
        calls.append(Syscall(m.group(1), number, strings[0], strings[1], current))
    if not calls:
        raise AbiError("CAIRN_SYSCALLS has no entries")
    if sorted(numbers) != list(range(len(numbers))):
        raise AbiError("call numbers are not 0..%d without gaps" % (len(numbers) - 1))
    return calls


def fail(prog, err):
    sys.stderr.write("%s: %s\n" % (prog, err))
    sys.exit(1)
