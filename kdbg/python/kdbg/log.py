"""kdbg log: the kernel log ring."""
from .command import KdbgCommand, Usage, register
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


@register
class Log(KdbgCommand):
    """Print the kernel log ring (every byte the kernel printed), oldest first.

Usage: kdbg log [N]
With N, only the last N lines. The ring (kernel_log.buf) is read in one
access; when it has wrapped, the first line shown may be partial."""
    name = "log"
    usage = "[N]"

    def run(self, world, args):
        if len(args) > 1 or (args and not args[0].isdigit()):
            raise Usage("N must be a number")
        text, wrapped = log_text(world)
        lines = text.split("\n")
        if text.endswith("\n"):
            lines.pop()
        if args:
            lines = lines[-int(args[0]):] if int(args[0]) else []
        elif wrapped:
            self.out("[... older output overwritten ...]")
        for line in lines:
            self.out("".join(c if c.isprintable() or c == "\t" else "?" for c in line))
