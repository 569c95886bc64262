"""kdbg log: the kernel log ring."""
from .command import KdbgCommand, number, register
from .mem import Corrupt, read, symbol_address


def log_text(world):
    data, wrapped = log_bytes(world)
    return data.decode("utf-8", "replace"), wrapped


def log_bytes(world):
    """The ring's bytes, oldest first, and whether it has wrapped."""
    k = world.k
    base = symbol_address("kernel_log")
    hdr = k.log.decode(read(base, k.log.size, "kernel_log"))
    size, head = hdr["size"], hdr["head"]
    if size == 0 or size & (size - 1) or size > 1 << 26:
        raise Corrupt("kernel_log.size %d is not a power of two" % size)
    buf = read(base + k.log_buf, size, "kernel_log.buf")
    n = min(head, size)
    start = (head - n) % size
    data = buf[start:] + buf[:start] if start + n > size else buf[start:start + n]
    return data[:n], head > size


def json_log(world, lines=None):
    """The log for JSON: byte for byte as kdbg-top (latin-1, non-printing
    as ?), its last `lines` lines, else its last LOG_MAX bytes."""
    from .schema import LOG_MAX, printable
    text = log_bytes(world)[0].decode("latin-1")
    if lines is not None:
        keep = text.split("\n")
        if text.endswith("\n"):
            keep.pop()
        text = "\n".join(keep[-lines:]) + "\n" if lines and keep else ""
    elif len(text) > LOG_MAX:
        text = text[-LOG_MAX:]
    return printable(text)


@register
class Log(KdbgCommand):
    """Print the kernel log ring (every byte the kernel printed), oldest first.

The ring (kernel_log.buf) is read in one access; when it has wrapped,
the first line shown may be partial."""
    name = "log"

    @staticmethod
    def arguments(p):
        p.arg("n", nargs="?", metavar="N", type=number("a number of lines"),
              help="only the last N lines")
        p.json("the log as one line of JSON (\"log\": the text, non-printing bytes as ?; "
               "as `kdbg json --log [N]`)")

    def run(self, world, args):
        if self.json:
            from . import schema
            self.out(schema.dumps(schema.Snapshot(world).document((), log=json_log(world,
                                                                                   args.n))))
            return
        text, wrapped = log_text(world)
        lines = text.split("\n")
        if text.endswith("\n"):
            lines.pop()
        if args.n is not None:
            lines = lines[-args.n:] if args.n else []
        elif wrapped:
            self.out("[... older output overwritten ...]")
        for line in lines:
            self.out("".join(c if c.isprintable() or c == "\t" else "?" for c in line))
