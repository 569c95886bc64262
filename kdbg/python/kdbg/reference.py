"""kdbg reference: the command reference in Markdown, from the declarations."""
from .command import COMMANDS, KdbgCommand, register


def markdown():
    """Every command's section (usage, arguments, docstring), then the
    convenience functions: the text between docs/kdbg.md's markers."""
    from . import functions
    out = [cls.markdown() for cls in sorted(COMMANDS, key=lambda c: c.name)]
    out.append("### Convenience functions\n")
    for fn in (functions.TaskFn, functions.CapFn, functions.CurrentFn):
        out.append("- " + fn.__doc__.strip().replace("\n\n", "\n").replace("\n", "\n  "))
    return "\n".join(out).rstrip("\n") + "\n"


@register
class Reference(KdbgCommand):
    """Print the command reference (these help texts) as Markdown.

docs/kdbg.md's reference section is this output (`kdbg/bin/kdbg help
--markdown`); tests/gdb/test_kdbg_commands.py fails when they differ."""
    name = "reference"
    requires = None  # the declarations only: no target needed
    no_json = "it prints help texts, not kernel objects"

    def run(self, world, args):
        self.out(markdown().rstrip("\n"))
