"""kdbg's command line, a module per topic; kdbg/bin/kdbg is the entry point
(argument dispatch and the top-level help).

  common     options, die(), the kernel ELF, GDB's command line
  rundir     run directories and `latest`
  boot       QEMU in a run directory: kdbg run, boot, console
  attach     kdbg attach: targets, and GDB on them
  gdbserver  kdbg gdbserver (and run --ide's server)
  qmp        a minimal QMP client
  cores      core files: kdbg dump, normalize-core, attach core:
  top        kdbg top
  libvirt    kdbg vm, libvirt-qmp, libvirt:DOMAIN targets
"""
