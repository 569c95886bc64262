"""kdbg: GDB extensions that understand Cairn's kernel objects.

Loaded by BUILD/cairn.elf-gdb.py (GDB auto-load) or `kdbg attach`:
    import kdbg; kdbg.load()
Modules: one per command (tasks, cpool, cdt, chan, untyped, vspace, log,
check, checkpoint, json in schema, graph, snapshot with its files in
snapfile and its comparison in snapdiff, breaks, usersyms), plus the
layers they share: mem (bulk reads), layout and types (DWARF), consts
(generated ABI constants), model (the decoded view), fmt, functions,
printers, command (argument declarations) and completion; api (the
Python API below, and `kdbg script`).

Scripts use the API in api.py (docs/kdbg.md, "Python API"):
    import kdbg
    w = kdbg.World()
    for t in w.tasks():
        print(t.name, t.state, t.priority)
"""
import gdb

_loaded = False


def load():
    """Register every command, function and pretty-printer (idempotent)."""
    global _loaded
    from . import command, functions, printers
    from . import tasks, cpool, cdt, chan, untyped, vspace, log, check, checkpoint  # noqa: F401
    from . import reference, schema  # noqa: F401
    from . import graph, snapshot, breaks, usersyms, api  # noqa: F401
    if not _loaded:
        command.KdbgPrefix()
        for cls in command.COMMANDS:
            cls()
        functions.register()
        _loaded = True
    printers.register()
    gdb.write("kdbg loaded: %d commands (help kdbg)\n" % len(command.COMMANDS))


API = ("World", "NoKernel", "NotFound", "Task", "Pool", "Cap", "Channel", "Notification",
       "Untyped", "Rights")


def __getattr__(name):
    """kdbg.World and the other API names (api.py), imported when first used."""
    if name in API:
        from . import api
        return getattr(api, name)
    raise AttributeError("module 'kdbg' has no attribute '%s'" % name)
