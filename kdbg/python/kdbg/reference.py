"""kdbg reference: the command reference in Markdown, from the docstrings."""
from .command import COMMANDS, KdbgCommand, Usage, register


@register
class Reference(KdbgCommand):
    """Print the command reference (these help texts) as Markdown.

Usage: kdbg reference
docs/kdbg.md's reference section is generated with this."""
    name = "reference"
    usage = ""
    requires = None  # the docstrings only: no target needed

    def run(self, world, args):
        if args:
            raise Usage("takes no arguments")
        from . import functions
        for cls in sorted(COMMANDS, key=lambda c: c.name):
            doc = cls.__doc__.strip().split("\n")
            self.out("### `kdbg %s%s`" % (cls.name, " " + cls.usage if cls.usage else ""))
            self.out("")
            self.out(doc[0])
            rest = [l for l in doc[1:] if not l.startswith("Usage:")]
            if any(l.strip() for l in rest):
                self.out("\n".join(rest).rstrip())
            self.out("")
        self.out("### Convenience functions")
        self.out("")
        for fn in (functions.TaskFn, functions.CapFn, functions.CurrentFn):
            self.out("- " + fn.__doc__.strip().replace("\n", "\n  "))
        self.out("")
