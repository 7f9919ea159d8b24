# SPDX-License-Identifier: GPL-2.0
"""Boot a guest under QEMU and watch it: QMP, console, data channel, RSS.

One Guest is one QEMU process.  The kernel's console goes to ttyS0 (a file
we scan for splats), the guest's results to ttyS1 (lines "@@ ..." and TAP),
QMP to a unix socket.  Everything lands in the run's directory.
"""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time

QEMU = shutil.which("qemu-system-x86_64") or "qemu-system-x86_64"

# Console lines that fail a run whatever the test says.
QEMU_FIRMWARE = ("/usr/share/seabios", "/usr/lib/ipxe/qemu", "/usr/share/qemu")

SPLAT = re.compile(
    r"Kernel panic|Oops[:\s]|BUG:|WARNING:|cut here|KASAN|UBSAN|"
    r"DEBUG_LOCKS_WARN_ON|INFO: lockdep|list_(add|del) corruption|"
    r"general protection fault|Call Trace:|hung_task|soft lockup")


class GuestError(Exception):
    pass


class QMP:
    """A minimal QMP client: one command at a time, events kept aside."""

    def __init__(self, path, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise GuestError("QMP socket %s never came up" % path)
                time.sleep(0.05)
        self.timeout = timeout
        self.sock.settimeout(timeout)
        self.buf = b""
        self.events = []
        self.seq = 0
        self._read()                        # greeting
        self.cmd("qmp_capabilities")

    def _read(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise GuestError("QMP connection closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def cmd(self, name, **args):
        # Every command carries an id and only the reply with that id is
        # its answer: a command given up on (a socket timeout caught by
        # the caller) is answered later, and that answer must not be
        # taken for the next command's.
        self.seq += 1
        msg = {"execute": name, "id": self.seq}
        if args:
            msg["arguments"] = args
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            reply = self._read()
            if "event" in reply:
                self.events.append(reply)
                continue
            if reply.get("id") != self.seq:
                continue                    # late answer to an older command
            if "error" in reply:
                raise GuestError("QMP %s: %s" % (name, reply["error"]))
            return reply.get("return")

    def close(self):
        self.sock.close()


class Tail(threading.Thread):
    """Follow a growing file; keep its lines with the host time they came."""

    def __init__(self, path, echo=None):
        super().__init__(daemon=True)
        self.path = path
        self.lines = []          # (monotonic time, text)
        self.cond = threading.Condition()
        self.stopping = False
        self.echo = echo

    def run(self):
        while not os.path.exists(self.path) and not self.stopping:
            time.sleep(0.02)
        with open(self.path, "rb") as f:
            part = b""
            while True:
                data = f.read()
                if data:
                    part += data
                    *full, part = part.split(b"\n")
                    now = time.monotonic()
                    with self.cond:
                        for raw in full:
                            text = raw.decode("utf-8", "replace").rstrip("\r")
                            self.lines.append((now, text))
                            if self.echo:
                                self.echo(text)
                        self.cond.notify_all()
                elif self.stopping:
                    return
                else:
                    time.sleep(0.02)

    def wait_for(self, pattern, timeout, start=0, alive=None):
        """Wait for a line matching pattern; returns (index, time, match)."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        i = start
        with self.cond:
            while True:
                while i < len(self.lines):
                    m = rx.search(self.lines[i][1])
                    if m:
                        return i, self.lines[i][0], m
                    i += 1
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                if alive is not None and not alive():
                    self.cond.wait(0.2)
                    if i >= len(self.lines):
                        return None
                    continue
                self.cond.wait(min(left, 0.2))


class Guest:
    """One QEMU process running one of our kernels."""

    def __init__(self, kernel, initrd, rundir, name, mem_mib=2048, smp=2,
                 reporting=True, hinting=False, balloon=True, cmdline=None,
                 incoming=None, extra=None, echo_console=False,
                 control=False, deflate_on_oom=False, shape=None,
                 qemu=None, balloon_props=(), cgroup=None):
        self.kernel, self.initrd = kernel, initrd
        # A cgroup directory (v1 or v2) QEMU runs in from its first page.
        self.cgroup = cgroup
        # Another QEMU binary (make qemu's) and more virtio-balloon
        # properties ("name=value") it knows.
        self.qemu = qemu or QEMU
        self.balloon_props = list(balloon_props)
        self.dir = os.path.join(rundir, name)
        self.name = name
        self.mem_mib, self.smp = mem_mib, smp
        self.mem_arg = str(mem_mib)
        self.smp_arg = str(smp)
        self.reporting, self.hinting, self.balloon = reporting, hinting, balloon
        self.deflate_on_oom = deflate_on_oom
        self.cmdline = {}
        self.extra = []
        # A declared guest shape (shapes.py): its memory layout, devices
        # and command line; the caller's command line wins.
        self.shape = shape
        if shape:
            self.mem_mib, self.smp = shape.mem_mib, shape.smp
            self.mem_arg = shape.mem_arg()
            self.smp_arg = shape.smp_arg()
            self.cmdline.update(dict(shape.cmdline))
            self.extra += shape.qemu_args()
        self.cmdline.update(cmdline or {})
        self.incoming = incoming
        self.extra += list(extra or [])
        self.proc = None
        self.qmp = None
        self.echo_console = echo_console
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        self.console_path = os.path.join(self.dir, "console.log")
        self.data_path = os.path.join(self.dir, "data.log")
        self.qmp_path = os.path.join(self.dir, "qmp.sock")
        # A third serial port (the guest's /dev/ttyS2) the host writes to.
        self.control = control
        self.control_path = os.path.join(self.dir, "ctl.sock")

    def argv(self):
        append = ["console=ttyS0", "panic=-1", "loglevel=6",
                  "no_timer_check", "tsc=reliable"]
        # Later parameters win: the caller's loglevel overrides ours.
        append += ["%s=%s" % kv for kv in self.cmdline.items()]
        # Our QEMU (make qemu) runs from its build directory, where it
        # looks for firmware in that tree only: Debian's packages have it.
        fw = [] if self.qemu == QEMU else [
            a for d in QEMU_FIRMWARE for a in ("-L", d)]
        argv = [self.qemu] + fw + ["-accel", "tcg,thread=multi", "-cpu", "max",
                "-smp", self.smp_arg, "-m", self.mem_arg,
                "-nodefaults", "-display", "none", "-no-reboot",
                "-kernel", self.kernel, "-initrd", self.initrd,
                "-append", " ".join(append),
                "-chardev", "file,id=con,path=%s" % self.console_path,
                "-serial", "chardev:con",
                "-chardev", "file,id=data,path=%s" % self.data_path,
                "-serial", "chardev:data",
                "-qmp", "unix:%s,server=on,wait=off" % self.qmp_path]
        if self.control:
            argv += ["-chardev", "socket,id=ctl,path=%s,server=on,wait=off"
                     % self.control_path, "-serial", "chardev:ctl"]
        if self.balloon:
            dev = "virtio-balloon-pci,id=balloon0"
            if self.reporting:
                dev += ",free-page-reporting=on"
            if self.deflate_on_oom:
                dev += ",deflate-on-oom=on"
            dev += "".join("," + p for p in self.balloon_props)
            if self.hinting:
                argv += ["-object", "iothread,id=io0"]
                dev += ",free-page-hint=on,iothread=io0"
            argv += ["-device", dev]
        if self.incoming:
            argv += ["-incoming", self.incoming]
        return argv + self.extra

    def start(self):
        argv = self.argv()
        with open(os.path.join(self.dir, "cmdline"), "w") as f:
            f.write(" ".join(argv) + "\n")
        self.stderr = open(os.path.join(self.dir, "qemu.stderr"), "wb")
        self.console = Tail(self.console_path,
                            echo=(lambda l: print("   | " + l))
                            if self.echo_console else None)
        self.data = Tail(self.data_path)
        self.console.start()
        self.data.start()
        self.t_start = time.monotonic()
        if self.cgroup:
            # Join before exec, so that every page QEMU touches is charged.
            argv = ["/bin/sh", "-c", 'echo $$ > "$0/cgroup.procs" && '
                    'exec "$@"', self.cgroup] + argv
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                     stdout=self.stderr, stderr=self.stderr)
        try:
            self.qmp = QMP(self.qmp_path)
        except GuestError:
            self.stop()
            raise GuestError("QEMU did not start: %s" % self.qemu_stderr())
        return self

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def qemu_stderr(self):
        self.stderr.flush()
        with open(self.stderr.name, errors="replace") as f:
            return f.read().strip()[-2000:]

    def iothread_cpu_ms(self):
        """CPU time (user + system) of QEMU's iothreads so far, in ms; None
        without one."""
        try:
            tids = [t["thread-id"] for t in self.qmp.cmd("query-iothreads")]
        except (GuestError, OSError, KeyError) as e:
            print("   %s: no iothread CPU time: %r" % (self.name, e),
                  file=sys.stderr)
            return None
        if not tids:
            return None
        hz = os.sysconf("SC_CLK_TCK")
        total = 0
        for tid in tids:
            try:
                with open("/proc/%d/task/%d/stat" %
                          (self.proc.pid, tid)) as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                return None
            total += int(fields[11]) + int(fields[12])   # utime, stime
        return total * 1000 // hz

    def rss_kb(self):
        """Resident set of the QEMU process, kB (guest RAM is anonymous)."""
        try:
            with open("/proc/%d/status" % self.proc.pid) as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1])
        except OSError:
            pass
        return None

    def ram_rss_kb(self):
        """What the host holds of the guest's RAM, kB: Rss + Swap of the
        one mapping of exactly the guest's memory size (-m, one block of
        anonymous memory; shapes with memory backends have none).  The
        rest of QEMU's RSS (TCG's code cache, devices) grows with what the
        guest runs, not with what it keeps.  None unless exactly one
        mapping has that size."""
        want = self.mem_mib * 1024
        found, size, held = [], None, 0
        try:
            with open("/proc/%d/smaps" % self.proc.pid) as f:
                for line in f:
                    key = line.split(":", 1)[0]
                    if key == "Size":
                        if size == want:
                            found.append(held)
                        size, held = int(line.split()[1]), 0
                    elif key in ("Rss", "Swap"):
                        held += int(line.split()[1])
            if size == want:
                found.append(held)
        except OSError:
            return None
        return found[0] if len(found) == 1 else None

    def wait_data(self, pattern, timeout, start=0):
        return self.data.wait_for(pattern, timeout, start, alive=self.alive)

    def wait_exit(self, timeout):
        """Wait for the guest to power off; returns the scenario's status."""
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise GuestError("guest %s did not finish in %d s"
                             % (self.name, timeout))
        finally:
            self.stop()
        hit = self.data.wait_for(r"^@@ exit (\d+)", 2)
        if not hit:
            raise GuestError("guest %s ended without an exit status"
                             % self.name)
        return int(hit[2].group(1))

    def stop(self):
        if self.qmp:
            try:
                self.qmp.close()
            except OSError:
                pass
            self.qmp = None
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for t in (self.console, self.data):
            t.stopping = True
            t.join(5)

    def splats(self):
        """Console lines that show a kernel problem, with context."""
        lines = [l for _, l in self.console.lines]
        out = []
        for i, l in enumerate(lines):
            if SPLAT.search(l):
                out.extend(lines[max(0, i - 2):i + 25])
                out.append("...")
                if len(out) > 200:
                    break
        return out

    def send_control(self, text):
        """Write text to the guest's control port (/dev/ttyS2)."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.connect(self.control_path)
            s.sendall(text.encode())
            time.sleep(0.5)         # let QEMU take it before we hang up

    def data_lines(self):
        return [l for _, l in self.data.lines]

    def migrate(self, uri, max_bandwidth=None, downtime_ms=None):
        params = {}
        if max_bandwidth is not None:
            params["max-bandwidth"] = max_bandwidth
        if downtime_ms is not None:
            params["downtime-limit"] = downtime_ms
        if params:
            self.qmp.cmd("migrate-set-parameters", **params)
        self.qmp.cmd("migrate", uri=uri)

    def wait_migration(self, timeout, on_sample=None):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            info = self.qmp.cmd("query-migrate")
            if on_sample:
                on_sample(info)
            if info.get("status") in ("completed", "failed", "cancelled"):
                return info
            time.sleep(0.1)
        raise GuestError("migration did not finish in %d s" % timeout)


class RssSampler(threading.Thread):
    """Sample a guest's QEMU RSS every period seconds: [(t, kB)]."""

    def __init__(self, guest, period=0.1):
        super().__init__(daemon=True)
        self.guest, self.period = guest, period
        self.samples = []
        self.stopping = False

    def run(self):
        while not self.stopping and self.guest.alive():
            kb = self.guest.rss_kb()
            if kb is not None:
                self.samples.append((time.monotonic(), kb))
            time.sleep(self.period)

    def stop(self):
        self.stopping = True
        self.join(5)

    def peak(self, until=None):
        vals = [kb for t, kb in self.samples if until is None or t <= until]
        return max(vals) if vals else 0

    def first_at_or_below(self, kb, since):
        """First time at or after since when RSS was <= kb, or None.

        If the last sample before since was already <= kb, that is since
        itself (the memory came back before the event was seen)."""
        before = None
        for t, v in self.samples:
            if t < since:
                before = v
                continue
            if before is not None and before <= kb:
                return since
            if v <= kb:
                return t
            before = None
        if before is not None and before <= kb:
            return since
        return None

    def save(self, path):
        with open(path, "w") as f:
            for t, kb in self.samples:
                f.write("%.3f\t%d\n" % (t, kb))
