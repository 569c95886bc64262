"""TAB completion of kdbg commands from their argument declarations.

complete(parser, text, word) walks the words typed so far through the
parser's arguments (options and their values, positionals, subcommands)
and offers what the argument being typed can be: task names, the
occupied slots of that task's root CPool, subcommands and choices,
options, file names or GDB expressions. Names come from the kernel only
when there is one to read (mem.require_kernel); otherwise nothing is
offered, silently.
"""
import argparse
import os

import gdb

from . import consts
from .command import tokenize


def _world():
    from .mem import require_kernel
    from .model import World
    require_kernel()
    return World()


def task_names(_ctx):
    return [o.name for o in _world().objects(consts.TASK) if o.name]


def slot_numbers(ctx):
    """The occupied slots of the root CPool of the task named just before."""
    if not ctx:
        return []
    from .command import find_task, task_root_pool
    w = _world()
    t = find_task(w, ctx[-1])
    if t is None:
        return []
    _, _, slots = w.pool(task_root_pool(w, t))
    return [str(i) for i, s in enumerate(slots) if not s.empty]


def type_names(_ctx):
    return sorted(e["label"] for v, e in consts._need().OBJ_TYPES.items() if v != consts.NULL)


def snapshot_names(_ctx):
    from .snapshot import snapshot_dir
    try:
        return sorted(f[:-5] for f in os.listdir(snapshot_dir()) if f.endswith(".json"))
    except OSError:
        return []


def file_names(cur):
    """Paths that complete cur (GDB's own filename completer would look at
    the whole argument text, options included)."""
    d, base = os.path.split(cur)
    try:
        names = os.listdir(os.path.expanduser(d) or ".")
    except OSError:
        return []
    out = []
    for n in names:
        if n.startswith(base) and (base.startswith(".") or not n.startswith(".")):
            p = os.path.join(d, n)
            out.append(p + "/" if os.path.isdir(os.path.expanduser(p)) else p)
    return out


KINDS = {"task": task_names, "slot": slot_numbers, "type": type_names,
         "snapshot": snapshot_names}
CONSTANTS = {"expr": gdb.COMPLETE_EXPRESSION}


def _options(parser):
    out = []
    for a in parser._actions:
        out.extend(s for s in a.option_strings if s.startswith("--") or len(a.option_strings) == 1)
    return out


def _positionals(parser):
    return [a for a in parser._actions if not a.option_strings]


def complete(parser, text, word):
    toks = tokenize(text, partial=True)
    if not text or text[-1].isspace():
        cur, done = "", toks
    else:
        cur, done = str(toks[-1]), toks[:-1]
    pos, i_pos, n_in, pending, ctx = _positionals(parser), 0, 0, None, []
    i = 0
    while i < len(done):
        t = done[i]
        opt = parser._option_string_actions.get(t)
        if opt is not None:
            if opt.nargs != 0:
                if i + 1 < len(done):
                    i += 1
                else:
                    pending = opt
        elif t.startswith("-") and len(t) > 1 and not t[1:2].isdigit():
            pass  # an option we do not know, or -oFILE: no position taken
        elif i_pos < len(pos):
            a = pos[i_pos]
            if isinstance(a, argparse._SubParsersAction):
                parser = a.choices.get(t)
                if parser is None:
                    return []
                pos, i_pos, n_in, ctx = _positionals(parser), 0, 0, []
            else:
                ctx.append(t)
                n_in += 1
                if a.nargs in (None, "?") or (isinstance(a.nargs, int) and n_in >= a.nargs):
                    i_pos, n_in = i_pos + 1, 0
        i += 1
    if pending is not None:
        kind = pending.complete
    elif cur.startswith("-"):
        kind = _options(parser)
    elif i_pos < len(pos):
        a = pos[i_pos]
        if isinstance(a, argparse._SubParsersAction):
            kind = list(a.choices)
        else:
            kind = a.complete
            if isinstance(kind, tuple):
                kind = kind[n_in] if n_in < len(kind) else None
    else:
        kind = None
    if kind is None:
        return []
    if isinstance(kind, str) and kind in CONSTANTS:
        return CONSTANTS[kind]
    if kind == "file":
        words = file_names(cur)
    else:
        words = kind if isinstance(kind, list) else KINDS[kind](ctx)
    hits = sorted(set(w for w in words if w.startswith(cur)),
                  key=lambda w: (len(w), w) if w.isdigit() else (0, w))
    if not hits and cur and kind == "task":
        return gdb.COMPLETE_EXPRESSION  # not a name: an expression for a struct task *
    # GDB completes `word`, the tail of the line after its word breaks
    # (None while it asks which characters break words).
    if word is None:
        word = cur
    cut = len(cur) - len(word) if cur.endswith(word) else 0
    return [h[cut:] for h in hits]
