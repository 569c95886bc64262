"""tap: the one TAP producer of the Python tests (tests/lib/tap.h is the C
one, tests/lib/tap.sh the shell one).

    sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
    from tap import Tap
    T = Tap()
    T.check(cond, "what", detail)   # "ok N - what" or "not ok N - what"
    T.note("text")                   # "# text", a line each
    sys.exit(T.done())               # the plan; 1 if any check failed

A failed check's detail follows its line, its last 30 lines each as
"#   ..."; every line is flushed at once (the tests run children and
time out). scripts/check.py reads the ok lines and counts a run that
exits non-zero without a "not ok" as a failure, so a test must exit with
T.done()'s status.
"""

import sys


class Tap:
    def __init__(self, detail_lines=30):
        self.n = 0
        self.failed = 0
        self.detail_lines = detail_lines

    def check(self, cond, what, detail=""):
        """One test line; returns cond, so a caller can stop on failure."""
        self.n += 1
        print("%s %d - %s" % ("ok" if cond else "not ok", self.n, what), flush=True)
        if not cond:
            self.failed += 1
            for line in str(detail).splitlines()[-self.detail_lines:]:
                print("#   " + line)
            sys.stdout.flush()
        return cond

    def note(self, text):
        """Diagnostic lines that are no test: "# text"."""
        for line in str(text).splitlines():
            print("# " + line)
        sys.stdout.flush()

    def done(self):
        """The plan and the tally; the exit status, 1 if anything failed."""
        print("1..%d" % self.n)
        print("# %d passed, %d failed" % (self.n - self.failed, self.failed), flush=True)
        return 1 if self.failed else 0
