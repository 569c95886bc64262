"""One declaration per command: docs/kdbg.md's reference is what the
declarations produce (kdbg reference and `kdbg help --markdown`), `help
kdbg NAME` shows the declared usage and arguments, every command turns
any bad argument into one precise line plus its usage (never argparse's
exit or a traceback), and TAB completion offers task names, the occupied
slots of that task's root CPool, subcommands, choices, options and files.
One named test each."""
import difflib
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gdbtest import check, guarded, no_traceback, run, shell  # noqa: E402
import gdb  # noqa: E402

from kdbg import command  # noqa: E402
from kdbg.reference import markdown  # noqa: E402

TREE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("KDBG_TEST_BUILD", os.path.join(TREE, "build"))
DOC = os.path.join(TREE, "docs", "kdbg.md")
BEGIN = "<!-- BEGIN kdbg reference"
END = "<!-- END kdbg reference -->"


def error_of(cmd):
    try:
        return None, run(cmd)
    except gdb.error as e:
        return str(e), None


def completions(line):
    """What `complete LINE` offers, as the words after LINE's last space."""
    out = run("complete " + line)
    head = line[:line.rfind(" ") + 1]
    return [l[len(head):] for l in out.splitlines() if l.startswith(head)]


def doc_reference():
    with open(DOC) as f:
        text = f.read()
    i = text.index("\n", text.index(BEGIN)) + 1
    return text[i:text.index(END)]


# ---- the named tests --------------------------------------------------------------------

def test_reference_is_generated():
    want = markdown()
    try:
        have = doc_reference()
    except ValueError:
        have = ""
    diff = "".join(difflib.unified_diff(have.splitlines(True), want.splitlines(True),
                                        "docs/kdbg.md", "kdbg reference", n=1))
    check(have == want, "docs/kdbg.md's reference section is what the declarations produce "
          "(regenerate: kdbg/bin/kdbg help --markdown, between the markers)",
          diff or "no %s ... %s markers in docs/kdbg.md" % (BEGIN, END))
    r = subprocess.run([os.path.join(TREE, "kdbg", "bin", "kdbg"), "help", "--markdown",
                        "--build", BUILD], capture_output=True, text=True, timeout=60)
    check(r.returncode == 0 and r.stdout.strip() == want.strip(),
          "kdbg help --markdown prints the same reference", r.stdout[-500:] + r.stderr[-500:])
    out = run("kdbg reference")
    check(out.strip() == want.strip(), "kdbg reference prints it too (no kernel needed)")


def test_help_from_declaration():
    out = run("help kdbg cdt")
    check(out.startswith("Draw the capability derivation tree") and
          "\nUsage: kdbg cdt [TASK SLOT | EXPR] [--json]\n" in out and
          re.search(r"^  TASK SLOT \| EXPR +a slot of a task's root CPool", out, re.M) and
          re.search(r"^  --json +the caps of the tree", out, re.M),
          "help kdbg cdt: summary, the declared usage, each argument with its help", out)
    out = run("help kdbg break")
    check(re.search(r"^  list \[--json\] +the kdbg breakpoints", out, re.M) and
          re.search(r"^    --slot N +only when", out, re.M),
          "help kdbg break: subcommands, and their options indented below them", out)
    check(run("kdbg cdt --help").strip() == run("help kdbg cdt").strip(),
          "kdbg cdt --help prints the same help")
    listing = run("help kdbg")
    missing = [c.name for c in command.COMMANDS
               if not re.search(r"^kdbg %s -- %s" % (c.name, re.escape(c.doc()[0])), listing, re.M)]
    check(not missing, "help kdbg lists every command with its summary", missing or listing)


def test_bad_arguments_are_usage_errors():
    bad = []
    for cls in command.COMMANDS:
        usage = ("usage: kdbg %s %s" % (cls.name, cls.usage())).rstrip()
        for args in ("--frob", "--json=1", "'unclosed", "-x 1 2 3"):
            cmd = "kdbg %s %s" % (cls.name, args)
            err, out = error_of(cmd)
            if out is not None:
                bad.append("%s: no error: %s" % (cmd, out[:200]))
            else:
                lines = err.split("\n")
                if len(lines) != 2 or not lines[0].startswith("kdbg %s: " % cls.name) or \
                        lines[1] != usage or \
                        not no_traceback(err) or "SystemExit" in err:
                    bad.append("%s: %r" % (cmd, err))
    check(not bad, "every command, every bad argument: one line and its usage line",
          "\n".join(bad))
    for cmd, want in (("kdbg cdt \"rinit", "kdbg cdt: no closing quotation (\")"),
                      ("kdbg json --log x", "kdbg json: --log: 'x' is not a number of lines"),
                      ("kdbg tasks --js", "kdbg tasks: unknown option '--js'"),
                      ("kdbg reference --json", "kdbg reference: has no --json (it prints help "
                       "texts, not kernel objects)"),
                      ("kdbg break mint --json", "kdbg break: has no --json there"),
                      ("kdbg watch cap", "kdbg watch: cap takes TASK SLOT"),
                      ("kdbg script", "kdbg script: which FILE?")):
        err, out = error_of(cmd)
        check(err is not None and err.startswith(want), "%s: %s" % (cmd, want), err or out)


def test_completion():
    check(completions("kdbg cdt ri") == [], "before the kernel is up: no task names, no error")
    shell([], "boot")
    check(completions("kdbg cdt ri") == ["rinit"] and completions("kdbg cpool se") ==
          ["serial-driver"] and completions("kdbg break mint --task r") == ["rinit"],
          "task arguments complete task names")
    doc = json.loads(run("kdbg cpool rinit --json"))
    used = sorted(str(c["slot"]) for c in doc["caps"] if c["slot"] < 300)
    got = completions("kdbg cdt rinit 2")
    check(got and sorted(got) == sorted(s for s in used if s.startswith("2")) and "100" not in
          completions("kdbg cdt rinit 1"),
          "a SLOT after TASK completes the occupied slots of its root CPool", (got, used))
    check(sorted(completions("kdbg graph rinit 25")) == sorted(s for s in used
                                                               if s.startswith("25")),
          "kdbg graph TASK SLOT completes slots too", completions("kdbg graph rinit 25"))
    check(completions("kdbg break m") == ["mint", "move"] and
          completions("kdbg watch c") == ["cap", "chan"] and
          completions("kdbg snapshot s") == ["save"],
          "subcommands complete", (completions("kdbg break m"), completions("kdbg watch c")))
    check(completions("kdbg break mint --t") == ["--task", "--type"] and
          completions("kdbg vspace rinit --") == ["--json", "--kernel"] and
          completions("kdbg json --l") == ["--log"],
          "options complete", completions("kdbg vspace rinit --"))
    check(completions("kdbg break mint --type c") == ["channel", "cpool"] and
          completions("kdbg json ca") == ["caps"] and completions("kdbg json no") ==
          ["notifications"], "choices complete (object types, sections)")
    ex = os.path.join(TREE, "docs", "examples", "kdbg_r")
    check(completions("kdbg graph -o %s" % ex) == [ex + "eport.py"] and
          completions("kdbg script %s" % ex) == [ex + "eport.py"],
          "file arguments complete file names (also after an option)",
          completions("kdbg graph -o %s" % ex))


TESTS = [test_reference_is_generated, test_help_from_declaration,
         test_bad_arguments_are_usage_errors, test_completion]


def test():
    for t in TESTS:
        print("# %s" % t.__name__)
        t()


guarded(test)
