"""ABI constants from the generated cairn_constants module (include/uapi)."""
try:
    import cairn_constants as C
except ImportError:  # pragma: no cover - the build generates it
    C = None


def _need():
    if C is None:
        raise ImportError("cairn_constants.py missing: run make (it is generated into "
                          "BUILD/kdbg/) and load kdbg through BUILD/cairn.elf-gdb.py")
    return C


def _by_name(table, name):
    for value, e in table.items():
        if e["name"] == name:
            return value
    raise KeyError(name)


def obj_type(name):
    return _by_name(_need().OBJ_TYPES, name)


def obj_type_count():
    return max(_need().OBJ_TYPES) + 1


def type_label(t):
    e = _need().OBJ_TYPES.get(t)
    return e["label"] if e else "type%d" % t


def state_label(s):
    e = _need().TASK_STATES.get(s)
    return e["label"] if e else "<corrupt: state %d>" % s


def state_value(name):
    return _by_name(_need().TASK_STATES, name)


def error_name(e):
    x = _need().ERRORS.get(e)
    return x["name"] if x else "error%d" % e


def fault_label(k):
    x = _need().FAULT_KINDS.get(k)
    return x["message"] if x else "fault%d" % k


def arch(name):
    return _need().ARCH[name]


def arch_name():
    """The kernel's architecture: "x86_64" or "aarch64"."""
    return getattr(_need(), "ARCH_NAME", "x86_64")


def define(name, default=None):
    return _need().DEFINES.get(name, default)


if C is not None:
    NULL = obj_type("NULL")
    UNTYPED = obj_type("UNTYPED")
    CPOOL = obj_type("CPOOL")
    TASK = obj_type("TASK")
    CHANNEL = obj_type("CHANNEL")
    NOTIFICATION = obj_type("NOTIFICATION")
    VSPACE = obj_type("VSPACE")
    PAGE_TABLE = obj_type("PAGE_TABLE")
    PAGE = obj_type("PAGE")
    IRQ_CONTROL = obj_type("IRQ_CONTROL")
    IRQ_HANDLER = obj_type("IRQ_HANDLER")
    IO_PORT = obj_type("IO_PORT")
    HEADER_TYPES = (CPOOL, TASK, CHANNEL, NOTIFICATION, IRQ_CONTROL, IRQ_HANDLER, IO_PORT)
    MEMORY_TYPES = (UNTYPED, VSPACE, PAGE_TABLE, PAGE)
