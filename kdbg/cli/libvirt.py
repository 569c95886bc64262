"""libvirt: a domain's gdbstub and QMP sockets from `virsh dumpxml` (for
attach/gdbserver/top libvirt:DOMAIN), `kdbg vm ...` (scripts/vm) and
`kdbg libvirt-qmp`."""
import os
import shutil
import subprocess

from .common import TREE, UsageError, die, free_port


def virsh_dumpxml(domain):
    if not shutil.which("virsh"):
        die("libvirt is not installed (no virsh): apt-get install libvirt-clients "
            "libvirt-daemon-system, or attach with HOST:PORT")
    try:
        return subprocess.run(["virsh", "dumpxml", domain], capture_output=True, text=True,
                              check=True, timeout=60).stdout
    except subprocess.CalledProcessError as e:
        die("virsh dumpxml %s failed: %s" % (domain, e.stderr.strip()), 1)
    except subprocess.TimeoutExpired:
        die("virsh dumpxml %s: no answer from libvirtd in 60 s" % domain, 1)


def libvirt_target(domain):
    xml = virsh_dumpxml(domain)
    import xml.etree.ElementTree as ET
    ns = "{http://libvirt.org/schemas/domain/qemu/1.0}"
    args = [a.get("value") for a in ET.fromstring(xml).iter(ns + "arg")]
    for i, a in enumerate(args):
        if a == "-s":
            return "localhost:1234"
        if a == "-gdb" and i + 1 < len(args):
            spec = args[i + 1]
            if spec.startswith("tcp:"):
                host, _, port = spec[4:].rpartition(":")
                return "%s:%s" % (host or "localhost", port.split(",")[0])
            if spec.startswith("unix:"):
                return spec.split(",")[0]
    # No gdbstub configured: start one through the monitor.
    port = free_port()
    r = subprocess.run(["virsh", "qemu-monitor-command", domain, "--hmp",
                        "gdbserver tcp:127.0.0.1:%d" % port], capture_output=True, text=True)
    if r.returncode:
        die("cannot start a gdbstub in %s: %s" % (domain, r.stderr.strip()), 1)
    return "127.0.0.1:%d" % port


# ---- libvirt -----------------------------------------------------------------
def libvirt_qmp_sockets(domain):
    """The unix paths of the domain's -qmp arguments, from virsh dumpxml."""
    import xml.etree.ElementTree as ET
    ns = "{http://libvirt.org/schemas/domain/qemu/1.0}"
    args = [a.get("value") for a in ET.fromstring(virsh_dumpxml(domain)).iter(ns + "arg")]
    out = []
    for i, a in enumerate(args[:-1]):
        if a == "-qmp" and args[i + 1].startswith("unix:"):
            out.append(args[i + 1][5:].split(",")[0])
    return out


def cmd_vm(args):
    """libvirt domains: scripts/vm is the implementation (a shell script
    around virsh, usable on its own); kdbg vm is its place in the CLI."""
    env = dict(os.environ, KDBG_VM_PROG="kdbg vm")
    os.execve(os.path.join(TREE, "scripts", "vm"), ["vm"] + args, env)


def cmd_libvirt_qmp(args):
    if len(args) != 1 or args[0].startswith("-"):
        raise UsageError("libvirt-qmp takes one DOMAIN")
    socks = libvirt_qmp_sockets(args[0])
    # The monitor's socket is monitor.qmp; qmp.sock is kdbg dump's and
    # scripts'. (QMP serves one client per socket.)
    mon = [s for s in socks if os.path.basename(s) == "monitor.qmp"] or \
        [s for s in socks if os.path.basename(s) != "qmp.sock"]
    if not mon:
        die("domain %s has no monitor QMP socket (a -qmp unix:.../monitor.qmp in its "
            "<qemu:commandline>; scripts/vm start defines one)" % args[0], 1)
    print("unix:" + mon[0])
    return 0
