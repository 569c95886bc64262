"""kdbg checkpoint: the last checkpoint the kernel passed."""
import gdb

from .command import KdbgCommand, register
from .mem import Corrupt, cstr, read, symbol_address


@register
class Checkpoint(KdbgCommand):
    """Show the name of the last checkpoint (kdbg_checkpoint_name).

The rinit shell command `checkpoint NAME` makes the kernel call
kdbg_checkpoint(NAME); break there to stop at named points in tests."""
    name = "checkpoint"

    @staticmethod
    def arguments(p):
        p.json("{\"checkpoint\": NAME or null} in a document of docs/schema.md")

    def run(self, world, args):
        sym = gdb.lookup_global_symbol("kdbg_checkpoint_name")
        if sym is None:
            raise Corrupt("no symbol kdbg_checkpoint_name in the ELF")
        name = cstr(read(symbol_address("kdbg_checkpoint_name"), sym.type.sizeof,
                         "checkpoint name"))
        if self.json:
            from . import schema
            self.out(schema.dumps(schema.Snapshot(world).document((), checkpoint=name or None)))
            return
        self.out("checkpoint: %s" % (name or "(none yet)"))
