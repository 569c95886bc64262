"""The `kdbg` prefix command, the base class of its subcommands, and the
one declaration each command makes of its arguments.

A subcommand declares its arguments once, in arguments(p), with argparse
(p is a Parser: p.arg() is add_argument() plus how to complete the
argument); from that declaration come the parsing, the usage line, `help
kdbg NAME`, the Markdown reference (kdbg reference, docs/kdbg.md) and TAB
completion. It implements run(world, args) (args: the parsed Namespace)
and writes with self.out(); the base class turns every failure into a
one-line message, never a Python traceback: Corrupt -> <corrupt: reason>,
bad usage (argparse's errors included) -> gdb.GdbError with the usage line.
Before run() it checks that there is a kernel to read (mem.require_kernel:
a target, initialised, matching the ELF); a class that needs less sets
requires = "target" (a target only) or None (nothing).
"""
import argparse
import re
import textwrap

import gdb

from . import consts
from .layout import LayoutError
from .mem import Corrupt, NoKernel, require_kernel, require_target
from .model import World

COMMANDS = []


class Usage(Exception):
    """Bad arguments: reported with the command's usage line."""


class KdbgPrefix(gdb.Command):
    """Cairn kernel debugger: commands that understand Cairn's objects.

Run `help kdbg COMMAND` for one command. Layouts come from the kernel's
DWARF, constants from include/uapi; memory that does not make sense is
shown as <corrupt: reason>. Scripts use the same model: `import kdbg;
w = kdbg.World()` (docs/kdbg.md, "Python API")."""

    def __init__(self):
        super().__init__("kdbg", gdb.COMMAND_DATA, gdb.COMPLETE_COMMAND, True)


# ---- words of a command line ------------------------------------------------

class Tok(str):
    """A word of the arguments, unquoted, that remembers where it was typed
    (so that a GDB expression can be handed on exactly as written)."""
    line = ""
    start = end = 0


def as_typed(word):
    """A word as it was typed (quotes kept: an expression needs them)."""
    return word.line[word.start:word.end] if isinstance(word, Tok) and word.line else word


class Words(list):
    """The words of one argument that takes the rest of a line (a GDB
    expression, or TASK SLOT); .text is that stretch of the line as typed."""

    @property
    def text(self):
        if not self:
            return ""
        line = self[0].line
        text = line[self[0].start:self[0].end]
        for prev, t in zip(self, self[1:]):
            # As typed between adjacent words; an option parsed in between
            # (kdbg cpool rinit --json extra) is not part of the text.
            gap = line[prev.end:t.start]
            text += (gap if not gap.strip() else " ") + line[t.start:t.end]
        return text


def tokenize(line, partial=False):
    """Shell-like words (quotes group, backslash escapes) with positions.
    An unclosed quote is a Usage, unless partial (completion)."""
    toks, i, n = [], 0, len(line)
    while True:
        while i < n and line[i].isspace():
            i += 1
        if i >= n:
            return toks
        start, buf, quote = i, [], None
        while i < n:
            c = line[i]
            if quote:
                if c == quote:
                    quote = None
                elif c == "\\" and quote == '"' and i + 1 < n and line[i + 1] in '"\\':
                    i += 1
                    buf.append(line[i])
                else:
                    buf.append(c)
            elif c in "'\"":
                quote = c
            elif c.isspace():
                break
            elif c == "\\" and i + 1 < n:
                i += 1
                buf.append(line[i])
            else:
                buf.append(c)
            i += 1
        if quote and not partial:
            raise Usage("no closing quotation (%s)" % quote)
        t = Tok("".join(buf))
        t.line, t.start, t.end = line, start, i
        toks.append(t)


# ---- the declaration ----------------------------------------------------------

def choice(what, options):
    """An argparse type: one of options, else a precise error."""
    def check(text):
        if text not in options:
            raise argparse.ArgumentTypeError("unknown %s '%s' (one of %s)"
                                             % (what, text, ", ".join(options)))
        return text
    return check


def number(what):
    """An argparse type: a non-negative integer (0x.. allowed)."""
    def check(text):
        try:
            v = int(text, 0)
        except ValueError:
            v = -1
        if v < 0:
            raise argparse.ArgumentTypeError("'%s' is not %s" % (text, what))
        return v
    return check


def _action_name(a):
    if a.option_strings:
        return a.option_strings[0]
    return a.metavar if a.metavar not in (None, argparse.SUPPRESS) else a.dest


class Parser(argparse.ArgumentParser):
    """argparse for a GDB command: errors raise Usage (never SystemExit),
    each argument says how to complete it; no -h action (KdbgCommand
    answers -h/--help with `help kdbg NAME`'s text)."""

    def __init__(self, prog, **kw):
        kw.pop("help", None)
        super().__init__(prog=prog, add_help=False, allow_abbrev=False, **kw)
        self.names = [prog.split()[-1]]
        self.help_text = ""

    # argparse calls these on bad input; they must not exit GDB.
    def error(self, message):
        raise Usage(self._precise(message))

    def exit(self, status=0, message=None):
        raise Usage((message or "bad arguments").strip())

    def arg(self, *names, complete=None, rest=False, missing=None, needs=None, choices=None,
            what=None, **kw):
        """add_argument() plus: complete (how TAB completes it: "task",
        "slot", "expr", "file", "type", "snapshot", a list of words, or a
        tuple of those per word), rest (the rest of the line: a Words),
        missing/needs (the message when it is absent / has no value),
        choices checked with a message naming `what` they are."""
        if choices is not None:
            kw["type"] = choice(what or names[0].lstrip("-"), list(choices))
            complete = list(choices) if complete is None else complete
        a = self.add_argument(*names, **kw)
        a.complete, a.rest, a.missing, a.needs = complete, rest, missing, needs
        return a

    def json(self, help="print what the command shows as one line of JSON "
                        "(docs/schema.md)"):
        return self.arg("--json", action="store_true", help=help)

    def subcommands(self, what="subcommand", missing=None, required=True):
        s = self.add_subparsers(dest="sub", parser_class=Parser, metavar=what.upper())
        s.required = required
        s.what, s.missing, s.complete, s.rest, s.needs = what, missing, None, False, None
        return s

    def sub(self, subs, name, aliases=(), help=""):
        """A subcommand (with aliases: other names for the same one)."""
        p = subs.add_parser(name, aliases=list(aliases))
        p.names = [name] + list(aliases)
        p.help_text = help
        return p

    # ---- parsing ---------------------------------------------------------------
    def parse(self, toks):
        if any(isinstance(a, argparse._SubParsersAction) for a in self._actions):
            ns = self.parse_args(toks)
        else:
            ns = self.parse_intermixed_args(toks)
        for a in all_actions(self):
            v = getattr(ns, a.dest, None)
            if getattr(a, "rest", False) and isinstance(v, list):
                setattr(ns, a.dest, Words(v))
        return ns

    def _find(self, name):
        name = name.split("/")[0]
        for a in self._actions:
            if _action_name(a) == name or name in a.option_strings:
                return a
        return None

    def _precise(self, message):
        """argparse's message, said the way kdbg says things."""
        m = re.match(r"the following arguments are required: (.*)", message)
        if m:
            first = m.group(1).split(", ")[0]
            a = self._find(first)
            if a is not None and a.missing:
                return a.missing
            return "missing %s" % first
        m = re.match(r"unrecognized arguments: (.*)", message)
        if m:
            words = m.group(1)
            if words.startswith("-") and not re.match(r"-\d", words):
                return "unknown option '%s'" % words.split()[0]
            return "unexpected '%s'" % words
        m = re.match(r"argument (\S+?)(?:/\S+)?: (.*)", message)
        if m:
            name, what = m.group(1), m.group(2)
            a = self._find(name)
            if what.startswith("expected one argument") or what.startswith("expected at least"):
                return "%s needs %s" % (name, a.needs if a is not None and a.needs else "a value")
            c = re.match(r"invalid choice: '(.*?)' \(choose from (.*)\)", what)
            if c:
                return "unknown %s '%s' (one of %s)" % (getattr(a, "what", name), c.group(1),
                                                        c.group(2).replace("'", ""))
            if what.startswith("ignored explicit argument"):
                return "%s takes no value" % name
            return what if not name.startswith("-") else "%s: %s" % (name, what)
        return message


def all_actions(parser):
    """Every action of parser and of its subcommands' parsers."""
    out = []
    for a in parser._actions:
        out.append(a)
        if isinstance(a, argparse._SubParsersAction):
            seen = set()
            for p in a.choices.values():
                if id(p) not in seen:
                    seen.add(id(p))
                    out.extend(all_actions(p))
    return out


def subparsers(parser):
    """[(names, parser)] of parser's subcommands, each once."""
    for a in parser._actions:
        if isinstance(a, argparse._SubParsersAction):
            out, seen = [], set()
            for p in a.choices.values():
                if id(p) not in seen:
                    seen.add(id(p))
                    out.append(p)
            return a, out
    return None, []


def _metavar(a):
    if a.metavar:
        return a.metavar
    return a.dest.upper() if a.option_strings else a.dest


def render_usage(parser):
    """The usage line, from the declaration (alternatives as A | B)."""
    parts = []
    for a in parser._actions:
        if isinstance(a, argparse._SubParsersAction):
            _, subs = subparsers(parser)
            alts = ["|".join(p.names) + (" " + render_usage(p) if render_usage(p) else "")
                    for p in subs]
            text = " | ".join(alts)
            parts.append(text if a.required else "[%s]" % text)
        elif a.option_strings:
            opt = a.option_strings[0]
            m = _metavar(a)
            s = opt if a.nargs == 0 else "%s [%s]" % (opt, m) if a.nargs == "?" else \
                "%s %s" % (opt, m)
            parts.append(s if a.required else "[%s]" % s)
        else:
            m = _metavar(a)
            if a.nargs is None or (a.nargs == "+" and a.rest):
                parts.append(m)
            elif a.nargs == "?" or (a.nargs == "*" and a.rest):
                parts.append("[%s]" % m)
            elif a.nargs == "*":
                parts.append("[%s...]" % m)
            else:
                parts.append("%s..." % m)
    return " ".join(p for p in parts if p)


def arguments_help(parser, depth=0):
    """[(label, help, depth)] for every argument with help; a subcommand
    comes first, its own arguments after it one level deeper."""
    out = []
    a, subs = subparsers(parser)
    for p in subs:
        u = render_usage(p)
        if p.help_text:
            out.append(("|".join(p.names) + (" " + u if u else ""), p.help_text, depth))
        out.extend(arguments_help(p, depth + 1))
    for a in parser._actions:
        if isinstance(a, argparse._SubParsersAction) or not a.help:
            continue
        if a.option_strings:
            label = ", ".join(a.option_strings)
            if a.nargs != 0:
                label += (" [%s]" if a.nargs == "?" else " %s") % _metavar(a)
        else:
            label = _metavar(a)
        out.append((label, a.help, depth))
    return out


class KdbgCommand(gdb.Command):
    name = None
    # Why the command has no --json, when it has none (said on `--json`).
    no_json = "kdbg json prints every object as data"
    # "kernel": run() reads kernel state, so refuse (with the reason) when
    # there is no target, the kernel is not initialised, or memory is not
    # the ELF's. "target": only a target (e.g. to set breakpoints before
    # the kernel is up). None: no target either (e.g. kdbg reference).
    requires = "kernel"

    @staticmethod
    def arguments(p):
        """Declare the arguments on p (a Parser). Default: none."""

    @classmethod
    def parser(cls):
        """The command's Parser, built once from arguments()."""
        if cls.__dict__.get("_parser") is None:
            p = Parser("kdbg " + cls.name)
            cls.arguments(p)
            p.usage = render_usage(p)
            cls._parser = p
        return cls._parser

    @classmethod
    def usage(cls):
        return render_usage(cls.parser())

    @classmethod
    def has_json(cls):
        return any("--json" in a.option_strings for a in all_actions(cls.parser()))

    @classmethod
    def doc(cls):
        """(summary line, body) of the docstring."""
        lines = cls.__doc__.strip("\n").split("\n")
        return lines[0].strip(), "\n".join(lines[1:]).strip("\n")

    @classmethod
    def help_text(cls):
        """`help kdbg NAME`: summary, usage, the arguments, the rest."""
        summary, body = cls.doc()
        u = cls.usage()
        text = [summary, "", "Usage: kdbg %s%s" % (cls.name, " " + u if u else "")]
        args = arguments_help(cls.parser())
        if args:
            width = min(max(len(l) + 2 * d for l, _, d in args), 20)
            for label, h, d in args:
                label = "  " * d + label
                lines = textwrap.wrap(h, 76 - width) or [""]
                if len(label) > width:
                    text.append("  " + label)
                    label = ""
                text.append("  %-*s  %s" % (width, label, lines[0]))
                text.extend("  %s  %s" % (" " * width, x) for x in lines[1:])
        if body:
            text += ["", body]
        return "\n".join(text)

    @classmethod
    def markdown(cls):
        """The command's section of the reference (docs/kdbg.md)."""
        summary, body = cls.doc()
        u = cls.usage()
        out = ["### `kdbg %s%s`" % (cls.name, " " + u if u else ""), "", summary, ""]
        args = arguments_help(cls.parser())
        for label, h, d in args:
            out.append("%s- `%s`: %s" % ("  " * d, label, h))
        if args:
            out.append("")
        if body:
            out += [body, ""]
        return "\n".join(out)

    def __init__(self):
        self.__doc__ = self.help_text()
        super().__init__("kdbg " + self.name, gdb.COMMAND_DATA)
        self._buf = None

    def out(self, text=""):
        self._buf.append(text)

    def invoke(self, arg, from_tty):
        self._buf = []
        try:
            toks = tokenize(arg)
            if toks in (["-h"], ["--help"]):  # what `help kdbg NAME` says
                self.out(self.help_text())
                self._flush()
                return
            if "--json" in toks and not self.has_json():
                raise Usage("has no --json (%s)" % self.no_json)
            try:
                args = self.parser().parse(toks)
            except Usage as e:
                if str(e).startswith("unknown option '--json'"):  # on a subcommand without it
                    raise Usage("has no --json there (%s)" % self.no_json)
                raise
            self.json = bool(getattr(args, "json", False))
            if self.requires == "target":
                require_target()
            elif self.requires:
                require_kernel()
            self.run(World(), args)
        except NoKernel as e:
            self._flush()
            raise gdb.GdbError("kdbg %s: %s" % (self.name, e))
        except Usage as e:
            self._flush()
            u = self.usage()
            raise gdb.GdbError("kdbg %s: %s\nusage: kdbg %s%s" % (self.name, e, self.name,
                                                                 " " + u if u else ""))
        except Corrupt as e:
            self.out("<corrupt: %s>" % e)
        except (LayoutError, ImportError) as e:
            self._flush()
            raise gdb.GdbError("kdbg %s: %s" % (self.name, e))
        except gdb.GdbError:
            self._flush()
            raise
        except KeyboardInterrupt:
            self.out("kdbg %s: interrupted" % self.name)
        except Exception as e:  # noqa: BLE001 - never a traceback at the user
            self.out("<corrupt: %s: %s>" % (type(e).__name__, e))
        self._flush()

    def _flush(self):
        if self._buf:
            gdb.write("\n".join(self._buf) + "\n")
        self._buf = []

    def run(self, world, args):
        raise NotImplementedError

    def complete(self, text, word):
        """TAB: what the declaration says each argument is."""
        try:
            from .completion import complete
            return complete(self.parser(), text, word)
        except Exception:  # noqa: BLE001 - completion never fails loudly
            return []


def register(cls):
    COMMANDS.append(cls)
    return cls


# ---- argument resolution shared by the commands --------------------------

def value_of(expr):
    try:
        return gdb.parse_and_eval(expr)
    except gdb.error as e:
        raise Usage("cannot evaluate '%s': %s" % (expr, e))


def pointer_to(v, struct_name):
    """(address, True) when v is a pointer/struct of struct_name, else (int, False)."""
    t = v.type.strip_typedefs()
    if t.code == gdb.TYPE_CODE_PTR:
        target = t.target().strip_typedefs()
        if target.tag == struct_name:
            return int(v), True
        return int(v), False
    if t.code == gdb.TYPE_CODE_STRUCT:
        if v.address is None:
            raise Usage("value is not in memory")
        return int(v.address), t.tag == struct_name
    return int(v), False


def find_task(world, name):
    """Address of the task with this debug name, or None."""
    for o in world.objects(consts.TASK):
        if o.name == name:
            return o.addr
    return None


# A word that can only be meant as a task's name (or a symbol).
NAME_RE = re.compile(r"[A-Za-z_][\w.-]*$")
MASK64 = (1 << 64) - 1


def task_names(world):
    names = ["'%s'" % o.name if o.name else "%#x" % o.addr for o in world.objects(consts.TASK)]
    if not names:
        return "none"
    return ", ".join(names[:8]) + (", ..." if len(names) > 8 else "")


def no_task(world, name):
    return Usage("no task named '%s' (tasks: %s)" % (name, task_names(world)))


def eval_arg(world, raw):
    """raw evaluated by GDB. A mistake is a Usage that says what is wrong:
    an unknown task name, words after a task name, not an expression."""
    try:
        return gdb.parse_and_eval(raw)
    except gdb.error as e:
        words = raw.split()
        if len(words) > 1 and find_task(world, words[0]) is not None:
            raise Usage("unexpected '%s' after the task name" % raw[len(words[0]):].strip())
        if NAME_RE.match(raw) or (len(words) == 2 and NAME_RE.match(words[0]) and
                                  words[1].isdigit()):
            raise no_task(world, words[0])
        raise Usage("'%s' is neither a task name nor an expression GDB can evaluate (%s)"
                    % (raw, e))


def address_arg(world, raw, tags):
    """(address, tag) of EXPR raw: a pointer to (or an lvalue of) a struct
    whose tag is in tags, or (address, None) for a plain number/pointer.
    Any other struct type is a Usage."""
    v = eval_arg(world, raw)
    t = v.type.strip_typedefs()
    want = " or ".join("struct %s *" % x for x in tags)
    if t.code in (gdb.TYPE_CODE_PTR, gdb.TYPE_CODE_ARRAY):
        target = t.target().strip_typedefs()
        if target.code in (gdb.TYPE_CODE_STRUCT, gdb.TYPE_CODE_UNION) and \
                not (target.tag == "object" and t.code == gdb.TYPE_CODE_PTR):
            # (a struct object * is any object: its header says which)
            if target.tag not in tags:
                raise Usage("'%s' is a %s, not a %s" % (raw, v.type, want))
            if t.code == gdb.TYPE_CODE_ARRAY:
                if v.address is None:
                    raise Usage("'%s' is not in memory" % raw)
                return int(v.address), target.tag
            return int(v) & MASK64, target.tag
        if t.code == gdb.TYPE_CODE_ARRAY:
            raise Usage("'%s' is an array of %s, not a %s" % (raw, target, want))
        return int(v) & MASK64, None
    if t.code in (gdb.TYPE_CODE_STRUCT, gdb.TYPE_CODE_UNION):
        if t.tag not in tags:
            raise Usage("'%s' is a %s, not a %s" % (raw, v.type, want))
        if v.address is None:
            raise Usage("'%s' is a value, not in memory" % raw)
        return int(v.address), t.tag
    if t.code in (gdb.TYPE_CODE_INT, gdb.TYPE_CODE_ENUM, gdb.TYPE_CODE_CHAR,
                  gdb.TYPE_CODE_BOOL):
        return int(v) & MASK64, None
    raise Usage("'%s' is a %s, not an address or a %s" % (raw, v.type, want))


def _describe(raw, addr):
    raw = raw.strip()
    plain = raw in ("%#x" % addr, "%d" % addr) or raw.lower() == "%#x" % addr
    return "%#x" % addr if plain else "'%s' (%#x)" % (raw, addr)


def live_object(world, addr, want, raw):
    """(addr, type) when addr is a live object of one of the types in want;
    otherwise a Usage saying what is (or is not) there."""
    labels = " or ".join(consts.type_label(t) for t in want)
    what = _describe(raw, addr)
    for t in want:
        if any(o.addr == addr for o in world.objects(t)):
            return addr, t
    if not addr:
        raise Usage("%s is NULL, not a %s" % (what, labels))
    try:
        o = world.obj(addr)
    except Corrupt as e:
        raise Usage("%s is not a %s: %s" % (what, labels, e))
    live = o.state == world.k.object_live
    if live and o.type in want:
        # Live and of the type but not on object_lists: the lists are
        # damaged (kdbg check says so); show the object anyway.
        return addr, o.type
    if live and 0 < o.type < world.k.type_count:
        raise Usage("%s is a %s%s, not a %s" % (what, consts.type_label(o.type),
                                                " " + world.label(o) if o.name else "",
                                                labels))
    raise Usage("%s is not a live %s (no object header there)" % (what, labels))


def task_arg(world, arg):
    """A task from a name or an expression (struct task *, address)."""
    a = find_task(world, arg)
    if a is not None:
        return a
    addr, _ = address_arg(world, arg, ("task",))
    return live_object(world, addr, (consts.TASK,), arg)[0]


def task_display(world, o):
    return o.name or "(unnamed)"


def task_root_pool(world, task_addr):
    s = world.task(task_addr)["slots"][0]
    if s.empty and s.clean:
        raise Usage("task '%s' has no root CPool yet (its cpool slot is empty)"
                    % world.task_name(task_addr))
    if s.type != consts.CPOOL:
        raise Corrupt("task %s has no root CPool (slot holds %s)"
                      % (world.task_name(task_addr), consts.type_label(s.type)))
    return s.obj


def default_task(world):
    """The running task, else rinit, else the first task."""
    cur = world.current()
    if cur:
        return cur
    tasks = world.objects(consts.TASK)
    for o in tasks:
        if o.name == "rinit":
            return o.addr
    if tasks:
        return tasks[0].addr
    raise Corrupt("no tasks on object_lists")
