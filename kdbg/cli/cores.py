"""Core files: normalizing QEMU's cores (the kernel's direct-map view),
the normalized private copy `kdbg attach core:` reads, checking a core
against a kernel ELF, `kdbg dump` (stopping the VM where
kernel_debug.seq is even) and `kdbg normalize-core`."""
import os
import struct
import sys
import tempfile
import time

from .common import TREE, UsageError, die, take_opt
from .qmp import QMP
from .rundir import RUN_MARK, latest_run_dir


# ---- core files ------------------------------------------------------------
# QEMU's dump-guest-memory paging=true writes every guest RAM block once, in
# physical order, and describes it with one PT_LOAD per *virtual* mapping it
# found in the page tables; a physical page mapped twice (the kernel image
# and the direct map) is described only once, so most of the direct map --
# where kernel objects live -- has no file data. normalize_core() adds the
# direct-map view: for every run of file data whose offset is linear in its
# physical address (one RAM block) it adds a PT_LOAD at DIRECT_MAP_BASE +
# paddr, and trims the direct-map segments QEMU left without data. A core
# of physical memory only (paging=false, e.g. libvirt's `virsh dump
# --memory-only`) also gets the kernel image's view at KERNEL_VBASE +
# paddr. Marked in e_ident[EI_PAD] so that it runs once.
CORE_MARK = 15, 0x4b
PT_LOAD = 1
EHDR = struct.Struct("<16sHHIQQQIHHHHHH")
PHDR = struct.Struct("<IIQQQQQQ")
ELF_MACHINES = {62: "x86_64", 183: "aarch64"}


def elf_machine(path):
    """(e_type, e_machine) of an ELF64 little-endian file, or None."""
    try:
        with open(path, "rb") as f:
            h = f.read(20)
    except OSError:
        return None
    if len(h) < 20 or h[:4] != b"\x7fELF" or h[4] != 2 or h[5] != 1:
        return None
    return struct.unpack_from("<HH", h, 16)


def machine_name(m):
    return ELF_MACHINES.get(m, "machine %d" % m)


def check_core(path, elf):
    """A core of the ELF's architecture, or exit 1 saying why not."""
    core, kernel = elf_machine(path), elf_machine(elf)
    if core is None:
        die("%s is not an ELF64 core file" % path, 1)
    if core[0] != 4:  # ET_CORE
        die("%s is not a core file (ELF type %d%s)"
            % (path, core[0], ": an executable; give it with --elf" if core[0] == 2 else ""), 1)
    if kernel is not None and core[1] != kernel[1]:
        die("%s is a core of an %s machine, but %s is an %s kernel: give the matching "
            "--build DIR / --elf FILE" % (path, machine_name(core[1]), elf,
                                          machine_name(kernel[1])), 1)


class CoreError(Exception):
    """A core kdbg cannot read or fix up: the reason, in one line."""


def arch_constants(build):
    """(ARCH constants, arch name) of the build's kernel: its generated
    cairn_constants.py, read afresh (not imported: two builds, two arches)."""
    path = os.path.join(build, "kdbg", "cairn_constants.py")
    ns = {}
    try:
        with open(path) as f:
            exec(compile(f.read(), path, "exec"), ns)
        arch = ns["ARCH"]
    except (OSError, SyntaxError, KeyError) as e:
        die("no usable %s (%s): run make" % (path, getattr(e, "strerror", None) or e))
    name = ns.get("ARCH_NAME") or build_arch(build)
    return arch, name


def build_arch(build):
    """x86_64 or aarch64: the machine of build/cairn.elf, or None."""
    m = elf_machine(os.path.join(build, "cairn.elf"))
    return ELF_MACHINES.get(m[1]) if m else None


def core_plan(path, arch):
    """(ELF header, program header table, offset for the table) that
    normalize the core at path with the arch's constants, None when it is
    normalized already; CoreError when the file is no core kdbg can read."""
    dmap = arch["DIRECT_MAP_BASE"]
    dmap_end = dmap + (1 << 46)
    kbase = arch["KERNEL_VBASE"]
    try:
        f = open(path, "rb")
    except OSError as e:
        raise CoreError("cannot read %s: %s" % (path, e.strerror or e))
    with f:
        ident = f.read(EHDR.size)
        if len(ident) < EHDR.size or ident[:4] != b"\x7fELF" or ident[4] != 2 or ident[5] != 1:
            raise CoreError("%s is not an ELF64 core (%s)" % (
                path, "%d bytes: cut short" % len(ident) if len(ident) < EHDR.size
                else "not 64-bit little-endian ELF"))
        if ident[CORE_MARK[0]] == CORE_MARK[1]:
            return None
        h = list(EHDR.unpack(ident))
        phoff, phentsize, phnum = h[5], h[9], h[10]
        f.seek(0, 2)
        eof = f.tell()
        # A damaged header is an error with its reason, never a traceback.
        if phentsize < PHDR.size:
            raise CoreError("%s: damaged core: program header size %d (want %d)"
                            % (path, phentsize, PHDR.size))
        if not phnum or phoff > eof or phentsize * phnum > eof - phoff:
            raise CoreError("%s: damaged core: %d program headers at offset %#x do not fit in "
                            "its %d bytes" % (path, phnum, phoff, eof))
        f.seek(phoff)
        table = f.read(phentsize * phnum)
    phdrs = [list(PHDR.unpack_from(table, i * phentsize)) for i in range(phnum)]
    keep, runs, limit = [], [], 0
    for i, p in enumerate(phdrs):
        ptype, _, off, vaddr, paddr, filesz, memsz, _ = p
        if ptype == PT_LOAD and (off > eof or filesz > eof - off or memsz < filesz or
                                 paddr + max(memsz, filesz) > 1 << 64 or
                                 vaddr + memsz > 1 << 64):
            raise CoreError("%s: damaged core: segment %d (offset %#x, %#x bytes at %#x) does "
                            "not fit in the file or the address space" % (path, i, off, filesz,
                                                                         paddr))
        if ptype == PT_LOAD and filesz:
            runs.append((paddr, off, filesz))
        if ptype == PT_LOAD and dmap <= vaddr < dmap_end:
            limit = max(limit, vaddr - dmap + memsz)
            continue  # replaced below
        keep.append(p)
    # Merge runs of one RAM block (offset - paddr constant); the last
    # block runs to the end of the file.
    runs.sort()
    blocks = []
    for paddr, off, size in runs:
        if blocks and blocks[-1][1] - blocks[-1][0] == off - paddr and \
                paddr <= blocks[-1][0] + blocks[-1][2] + (1 << 40):
            b = blocks[-1]
            b[2] = max(b[2], paddr + size - b[0])
        else:
            blocks.append([paddr, off, size])
    if blocks:
        last = max(blocks, key=lambda b: b[1])
        last[2] = max(last[2], eof - last[1])
        if limit:  # RAM ends where QEMU's direct-map segment ended
            last[2] = max(min(last[2], limit - last[0]), 1)
    paged = any(p[0] == PT_LOAD and p[3] >= kbase for p in phdrs)
    for paddr, off, size in blocks:
        if dmap + paddr + size > 1 << 64:
            raise CoreError("%s: damaged core: RAM at %#x does not fit in the direct map"
                            % (path, paddr))
        keep.append([PT_LOAD, 4 | 2, off, dmap + paddr, paddr, size, size, 0])
        # No page-table view: add the kernel image's (its window is the
        # top 2 GiB: only RAM that fits there, not the BIOS at 4 GiB).
        # (On AArch64 the image is part of the direct map: nothing to add.)
        if not paged and kbase != dmap and kbase + paddr + size <= 1 << 64:
            keep.append([PT_LOAD, 4 | 2, off, kbase + paddr, paddr, size, size, 0])
    if len(keep) > 0xffff:
        raise CoreError("%s: damaged core: %d segments" % (path, len(keep)))
    h[0] = ident[:CORE_MARK[0]] + bytes([CORE_MARK[1]]) + ident[CORE_MARK[0] + 1:16]
    h[5], h[9], h[10] = eof, PHDR.size, len(keep)
    return EHDR.pack(*h), b"".join(PHDR.pack(*p) for p in keep), eof


def core_arch_plan(path, build):
    """core_plan with the build's constants, refusing a core of another arch
    (the other arch's constants would make a core that reads as nothing)."""
    arch, name = arch_constants(build)
    m = elf_machine(path)
    if m is not None and name and ELF_MACHINES.get(m[1]) != name:
        raise CoreError("%s is a core of an %s machine, but %s is an %s build: give --build "
                        "of a matching build" % (path, machine_name(m[1]), build, name))
    return core_plan(path, arch)


def normalize_core(path, build):
    """Normalize the core at path in place (kdbg dump, kdbg normalize-core);
    False when it was already. CoreError with the reason otherwise."""
    plan = core_arch_plan(path, build)
    if plan is None:
        return False
    ehdr, table, eof = plan
    try:
        with open(path, "r+b") as f:
            f.seek(eof)
            f.write(table)
            f.seek(0)
            f.write(ehdr)
    except OSError as e:
        raise CoreError("cannot write %s: %s (kdbg attach core:%s reads it without writing)"
                        % (path, e.strerror or e, path))
    return True


def core_view(path, build):
    """A path GDB reads the core at path through, normalized, never writing
    path: path itself when it is normalized already, else /dev/fd/N, a
    normalized copy in an unlinked temporary file whose descriptor GDB
    inherits (nothing to clean up, however GDB ends)."""
    try:
        plan = core_arch_plan(path, build)
    except CoreError as e:
        die(str(e), 1)
    if plan is None:
        return path
    ehdr, table, eof = plan
    tmp = tempfile.gettempdir()
    try:
        try:
            fd = os.open(tmp, os.O_TMPFILE | os.O_RDWR, 0o600)
        except (OSError, AttributeError):
            fd, name = tempfile.mkstemp(prefix="kdbg-core-", dir=tmp)
            os.unlink(name)
        with open(path, "rb") as src:
            done = 0
            while done < eof:
                try:
                    n = os.copy_file_range(src.fileno(), fd, eof - done, done, done)
                except (OSError, AttributeError):
                    src.seek(done)
                    data = src.read(min(eof - done, 8 << 20))
                    n = os.pwrite(fd, data, done) if data else 0
                if n <= 0:
                    raise OSError(0, "%s changed while it was copied" % path)
                done += n
        os.pwrite(fd, table, eof)
        os.pwrite(fd, ehdr, 0)
    except OSError as e:
        die("cannot make a normalized copy of %s in %s: %s (%s is left as it is; TMPDIR "
            "picks another directory)" % (path, tmp, e.strerror or e, path), 1)
    os.set_inheritable(fd, True)
    return "/dev/fd/%d" % fd


def vm_arch(q):
    """The VM's architecture from QMP query-target: x86_64, aarch64 or None."""
    r = q.execute("query-target")
    arch = r.get("arch") if isinstance(r, dict) else None
    return arch if arch in ("x86_64", "aarch64") else None


def builds_of(arch):
    """Build directories of this tree (build/, build/*, build/*/*) whose
    kernel is of arch and that have kdbg's constants, newest kernel first."""
    found = []
    root = os.path.join(TREE, "build")
    dirs = [root]
    for depth in range(2):
        nxt = []
        for d in dirs:
            try:
                nxt += [os.path.join(d, n) for n in sorted(os.listdir(d))
                        if n not in ("obj", "host", "user", "include", "kdbg", "logs")]
            except OSError:
                pass
        dirs_here = [d for d in nxt if os.path.isdir(d)]
        if depth == 0:
            found.append(root)
        found += dirs_here
        dirs = dirs_here
    out = [d for d in found if build_arch(d) == arch and
           os.path.isfile(os.path.join(d, "kdbg", "cairn_constants.py"))]
    return sorted(out, key=lambda d: os.path.getmtime(os.path.join(d, "cairn.elf")),
                  reverse=True)


def elf_in_core(elf, core):
    """True when the ELF's code and constants (64 bytes from the middle of
    each read-only segment) are in the core at their physical addresses;
    False when not; None when there is nothing to compare."""
    def phdrs(f):
        h = EHDR.unpack(f.read(EHDR.size))
        f.seek(h[5])
        t = f.read(h[9] * h[10])
        return [PHDR.unpack_from(t, i * h[9]) for i in range(h[10])
                if (i + 1) * h[9] <= len(t) and h[9] >= PHDR.size]
    try:
        with open(elf, "rb") as e, open(core, "rb") as c:
            segs = [p for p in phdrs(c) if p[0] == PT_LOAD and p[5]]
            seen = 0
            for p in phdrs(e):
                if p[0] != PT_LOAD or p[1] & 2 or p[5] < 256:
                    continue
                at = (p[5] // 2) & ~63
                e.seek(p[2] + at)
                want = e.read(64)
                pa = p[4] + at
                s = next((s for s in segs if s[4] <= pa and pa + 64 <= s[4] + s[5]), None)
                if s is None:
                    return False
                c.seek(s[2] + pa - s[4])
                if c.read(64) != want:
                    return False
                seen += 1
            return True if seen else None
    except (OSError, struct.error):
        return None


SHDR = struct.Struct("<IIQQQQIIQQ")
SYM = struct.Struct("<IBBHQQ")
SHT_SYMTAB = 2


def symbol_paddr(elf, name):
    """The physical address of a symbol of a kernel ELF (through the
    PT_LOAD that holds it), or None."""
    try:
        with open(elf, "rb") as f:
            data = f.read()
        h = EHDR.unpack_from(data)
        shoff, shentsize, shnum = h[6], h[11], h[12]
        shdrs = [SHDR.unpack_from(data, shoff + i * shentsize) for i in range(shnum)]
        want = name.encode()
        value = None
        for sh in shdrs:
            if sh[1] != SHT_SYMTAB or sh[6] >= len(shdrs):
                continue
            strtab = shdrs[sh[6]]
            for off in range(sh[4], sh[4] + sh[5] - SYM.size + 1, SYM.size):
                sym = SYM.unpack_from(data, off)
                at = strtab[4] + sym[0]
                if data[at:at + len(want) + 1] == want + b"\0":
                    value = sym[4]
                    break
        if value is None:
            return None
        for i in range(h[10]):
            ph = PHDR.unpack_from(data, h[5] + i * h[9])
            if ph[0] == PT_LOAD and ph[3] <= value < ph[3] + ph[6]:
                return ph[4] + value - ph[3]
    except (OSError, struct.error, IndexError):
        return None
    return None


def read_phys_u64(q, paddr):
    """One 64-bit word of guest physical memory, through the HMP `xp`."""
    out = q.execute("human-monitor-command", **{"command-line": "xp /1gx %#x" % paddr})
    try:
        return int(str(out).split(":")[1].split()[0], 16)
    except (IndexError, ValueError):
        return None


def stop_outside_kernel(q, seq_paddr, tries=200):
    """Stop a running VM where kernel_debug.seq is even -- no kernel
    change half made, as kdbg-top's snapshots demand -- letting it run on
    a moment whenever it stopped inside the kernel. Returns whether the
    VM was running (so it is resumed after the dump) and whether such a
    point was found."""
    status = q.execute("query-status")
    if not (isinstance(status, dict) and status.get("running")):
        return False, True
    q.execute("stop")
    if seq_paddr is None:
        return True, False
    for _ in range(tries):
        seq = read_phys_u64(q, seq_paddr)
        if seq is not None and seq % 2 == 0:
            return True, True
        q.execute("cont")
        time.sleep(0.002)
        q.execute("stop")
    return True, False


def shown_path(p):
    """p relative to the current directory when inside it, else absolute."""
    rel = os.path.relpath(p)
    return rel if not rel.startswith("..") else os.path.abspath(p)


def cmd_dump(args):
    import shlex
    qmp = take_opt(args, "--qmp", os.environ.get("KDBG_QMP"))
    build = take_opt(args, "--build")
    if len(args) != 1:
        raise UsageError("dump takes one FILE")
    run = None
    if not qmp and latest_run_dir():
        # The newest run directory's VM, with its own build's constants.
        run = latest_run_dir()
        qmp = os.path.join(run, "qmp.sock")
    elif qmp and os.path.isfile(os.path.join(os.path.dirname(qmp), RUN_MARK)):
        run = os.path.dirname(qmp)   # a run directory's socket: its build
    if not qmp:
        raise UsageError("give --qmp SOCKET (or set KDBG_QMP; or start a VM with kdbg run)")
    if qmp.startswith("unix:"):
        qmp = qmp[5:]
    if build and build_arch(build) is None:
        die("no kernel ELF at %s" % os.path.join(build, "cairn.elf"))
    explicit, cands = bool(build), []
    path = os.path.abspath(args[0])
    q = QMP(qmp)
    # The arch is the VM's: the constants that fix the core up (and the
    # ELF to open it with) must be of a build of that arch.
    arch = vm_arch(q)
    if build:
        if arch and build_arch(build) != arch:
            die("the VM is %s, but %s is an %s build: give --build of an %s build (nothing "
                "dumped)" % (arch, build, build_arch(build), arch), 1)
    else:
        cands = ([os.path.realpath(os.path.join(run, "build"))] if run else []) + \
            [os.path.join(TREE, "build")] + (builds_of(arch) if arch else [])
        build = next((b for b in cands if build_arch(b) and
                      (arch is None or build_arch(b) == arch)), None)
    # Between two kernel entries, or a core's tasks and queues may show a
    # change half made (a task dequeued but not yet running, say).
    seq_paddr = symbol_paddr(os.path.join(build, "cairn.elf"), "kernel_debug") \
        if build else None
    was_running, consistent = stop_outside_kernel(q, seq_paddr)
    try:
        q.execute("dump-guest-memory", paging=True, protocol="file:" + path)
    finally:
        if was_running:
            q.execute("cont")
    if not consistent:
        sys.stderr.write("kdbg: warning: the VM kept stopping inside the kernel; the core may "
                         "show a change half made\n")
    if not explicit and build:
        # Any build of the arch has the constants; the one to open the core
        # with is the one whose kernel the VM runs.
        cands = [b for b in dict.fromkeys(cands) if build_arch(b) == build_arch(build)]
        build = next((b for b in cands if elf_in_core(os.path.join(b, "cairn.elf"), path)),
                     None) or build
    if build is None:
        print("kdbg: core of the %s VM written to %s, not normalized: this tree has no %s build "
              "(make O=DIR %s_defconfig all); open it with:\n  kdbg attach core:%s --build DIR"
              % (arch, path, arch, arch, shlex.quote(args[0])))
        return 0
    # QEMU makes the file read-only (0400); it is ours to fix up.
    try:
        mode = os.stat(path).st_mode & 0o7777
        os.chmod(path, mode | 0o200)
    except OSError as e:
        die("cannot make %s writable to normalize it: %s" % (path, e.strerror or e), 1)
    try:
        normalize_core(path, build)
    except CoreError as e:
        die("%s (the core QEMU wrote is kept as it is)" % e, 1)
    finally:
        try:
            os.chmod(path, mode)
        except OSError:
            pass
    match = elf_in_core(os.path.join(build, "cairn.elf"), path)
    print("kdbg: core of the %s VM written to %s; open it with:\n  kdbg attach core:%s --build %s"
          % (build_arch(build), path, shlex.quote(args[0]), shlex.quote(shown_path(build))))
    if match is False:
        sys.stderr.write("kdbg: warning: %s/cairn.elf is not the kernel this VM runs: give "
                         "the --build it was booted from\n" % shown_path(build))
    return 0


def cmd_normalize_core(args):
    build = take_opt(args, "--build", os.path.join(TREE, "build"))
    if len(args) != 1:
        raise UsageError("normalize-core takes one FILE")
    if not os.path.isfile(args[0]):
        die("no core file %s" % args[0])
    try:
        changed = normalize_core(args[0], build)
    except CoreError as e:
        die(str(e), 1)
    print("kdbg: %s %s" % (args[0], "normalized" if changed else "was already normalized"))
    return 0
