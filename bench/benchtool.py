#!/usr/bin/python3
"""Measuring helpers for relay-bench.sh (standard library only).

Subcommands:
  free-port                      print a free TCP port on 127.0.0.1
  wait-smtp PORT TIMEOUT [PID]   wait until 127.0.0.1:PORT answers with a 220 greeting
  sink-count FILE                print the message count an `smtp-sink -c` run has reported so far
  cpu-ms PID                     CPU milliseconds of PID and all its live descendants (incl. reaped children)
  peak-rss-kb PID                peak resident set size (VmHWM) of PID in KiB
  drive ...                      run smtp-source once and time it until the sink holds the target count
"""

import argparse
import json
import os
import re
import shlex
import socket
import subprocess
import sys
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")
_MESG = re.compile(rb"mesg=(\d+)")


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def alive(pid):
    if pid is None:
        return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            state = f.read().rsplit(b")", 1)[1].split()[0]
        return state not in (b"Z", b"X")
    except (FileNotFoundError, ProcessLookupError):
        return False


def wait_smtp(port, timeout, pid=None):
    """True once a connection to 127.0.0.1:port receives a 220 greeting."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not alive(pid):
            return False, f"process {pid} exited"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                s.settimeout(10)
                banner = s.recv(512)
                if banner.startswith(b"220"):
                    try:
                        s.sendall(b"QUIT\r\n")
                        s.recv(512)
                    except OSError:
                        pass
                    return True, banner.decode("ascii", "replace").strip()
        except OSError:
            pass
        time.sleep(0.25)
    return False, f"no SMTP greeting on 127.0.0.1:{port} within {timeout:.0f}s"


def sink_count(path):
    """Last `mesg=N` value an `smtp-sink -c` process wrote (its counters are rewritten with CR)."""
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - 256))
            tail = f.read()
    except FileNotFoundError:
        return 0
    found = _MESG.findall(tail)
    return int(found[-1]) if found else 0


def _stat_fields(pid):
    with open(f"/proc/{pid}/stat", "rb") as f:
        # the command name may hold spaces and parentheses: split after its last ')'
        return f.read().rsplit(b")", 1)[1].split()


def _process_table():
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = _stat_fields(entry)
        except (FileNotFoundError, ProcessLookupError):
            continue
        ppid = int(fields[1])
        ticks = sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
        table[int(entry)] = (ppid, ticks)
    return table


def tree_cpu_ms(root):
    """CPU of root and its live descendants; children already reaped are in their parent's cutime/cstime."""
    table = _process_table()
    if root not in table:
        return None
    children = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += table[pid][1]
        todo.extend(children.get(pid, ()))
    return total * 1000.0 / CLK_TCK


def thread_cpu(pid):
    """Lines 'tid<TAB>name<TAB>ticks' for every thread of pid (utime+stime)."""
    lines = []
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                name = f.read().strip()
            fields = _stat_fields(f"{pid}/task/{tid}")
        except (FileNotFoundError, ProcessLookupError):
            continue
        lines.append(f"{tid}\t{name}\t{int(fields[11]) + int(fields[12])}")
    return lines


# Thread names are cut to 15 characters by the kernel; these prefixes group them.
_GROUPS = [("C2 CompilerThre", "jit-c2"), ("C1 CompilerThre", "jit-c1"), ("GC Thread", "gc"), ("VM Thread", "vm"),
           ("mamori-delivery", "delivery"), ("mamori-group-co", "group-commit"), ("mamori-analyzer", "analysis"), ("mamori-part-", "analysis"), ("mamori-body-", "analysis"),
           ("smtp-", "smtp-session"), ("H2 ", "h2"), ("MVStore", "h2"),
           ("HikariPool", "hikari")]


def thread_cpu_diff(before, after, messages):
    """CPU per thread group between two thread-cpu snapshots: ms in total and µs per message."""
    def load(path):
        with open(path) as f:
            return {tuple(l.rstrip("\n").split("\t")[:2]): int(l.rstrip("\n").split("\t")[2]) for l in f if l.strip()}
    b, a = load(before), load(after)
    groups = {}
    for key, ticks in a.items():
        delta = ticks - b.get(key, 0)
        name = key[1]
        group = next((g for prefix, g in _GROUPS if name.startswith(prefix)), name)
        groups[group] = groups.get(group, 0) + delta
    total = sum(groups.values())
    out = [f"{'threads':20} {'cpu_ms':>9} {'us_per_msg':>11} {'share':>6}"]
    for group, ticks in sorted(groups.items(), key=lambda x: -x[1]):
        if ticks <= 0:
            continue
        ms = ticks * 1000.0 / CLK_TCK
        out.append(f"{group:20} {ms:9.0f} {ms * 1000 / max(messages, 1):11.0f} {100.0 * ticks / max(total, 1):5.1f}%")
    ms = total * 1000.0 / CLK_TCK
    out.append(f"{'total':20} {ms:9.0f} {ms * 1000 / max(messages, 1):11.0f}")
    return out


def jit_share(before, after):
    """Share (%) of the process's CPU between two thread-cpu snapshots that went to JIT compiler threads."""
    def load(path):
        with open(path) as f:
            return {tuple(l.rstrip("\n").split("\t")[:2]): int(l.rstrip("\n").split("\t")[2]) for l in f if l.strip()}
    b, a = load(before), load(after)
    total = jit = 0
    for key, ticks in a.items():
        delta = ticks - b.get(key, 0)
        total += delta
        if key[1].startswith(("C1 CompilerThre", "C2 CompilerThre")):
            jit += delta
    return 100.0 * jit / max(total, 1)


def peak_rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except FileNotFoundError:
        pass
    return None


def drive(args):
    """Run smtp-source once; time from its start until the sink has counted `target` messages."""
    relay_pid = args.relay_pid if args.relay_pid > 0 else None
    cpu_before = tree_cpu_ms(relay_pid) if relay_pid else None
    with open(args.source_log, "ab") as log:
        t0 = time.monotonic()
        source = subprocess.Popen(args.source, stdout=log, stderr=subprocess.STDOUT)
        deadline = t0 + args.timeout
        count, t_done, why = sink_count(args.sink_out), None, None
        while True:
            count = sink_count(args.sink_out)
            if count >= args.target:
                t_done = time.monotonic()
                break
            if relay_pid and not alive(relay_pid):
                why = "relay process exited"
                break
            if time.monotonic() > deadline:
                why = "timeout"
                break
            if source.poll() is not None and source.returncode != 0:
                why = f"smtp-source exited with {source.returncode}"
                break
            time.sleep(0.005)
        try:
            rc = source.wait(timeout=max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            source.kill()
            rc = source.wait()
            why = why or "smtp-source did not finish"
    if rc != 0 and why is None:
        why = f"smtp-source exited with {rc}"
    # let the relay finish the last transactions' bookkeeping (queue file removal, QUIT) before sampling
    time.sleep(args.settle)
    cpu_after = tree_cpu_ms(relay_pid) if relay_pid else None
    result = {
        "ok": why is None,
        "why": why or "",
        "sink_count": count,
        "wall_s": (t_done - t0) if t_done else (time.monotonic() - t0),
        "cpu_ms": (cpu_after - cpu_before) if (cpu_before is not None and cpu_after is not None) else None,
        "source_rc": rc,
        "peak_rss_kb": peak_rss_kb(relay_pid) if relay_pid else None,
    }
    # shell assignments, so the calling script can `eval` them
    for key, value in result.items():
        text = "" if value is None else (("1" if value else "0") if isinstance(value, bool) else str(value))
        print(f"R_{key}={shlex.quote(text)}")
    return 0


def jfr_top(profile_dir, thread_prefix, top):
    """Hot methods of one group of threads over the measured window of a relay-bench --jfr run: the share of
    execution samples whose top frame is a method (self) and whose stack holds it (inclusive)."""
    import collections
    import datetime
    with open(os.path.join(profile_dir, "window.txt")) as f:
        start, end = (float(x) for x in f.read().split()[:2])
    out = subprocess.run(["jfr", "print", "--json", "--stack-depth", "64", "--events", "jdk.ExecutionSample",
                          os.path.join(profile_dir, "mamori.jfr")], capture_output=True, text=True, check=True).stdout
    own, within, total = collections.Counter(), collections.Counter(), 0
    for e in json.loads(out)["recording"]["events"]:
        v = e["values"]
        # JFR writes nanoseconds; fromisoformat takes at most microseconds.
        t = datetime.datetime.fromisoformat(v["startTime"][:26] + "+00:00").timestamp()
        thread = (v.get("sampledThread") or {}).get("javaName") or ""
        if not start <= t <= end or not thread.startswith(thread_prefix):
            continue
        frames = (v.get("stackTrace") or {}).get("frames") or []
        names = [fr["method"]["type"]["name"].replace("/", ".") + "." + fr["method"]["name"] for fr in frames]
        total += 1
        if names:
            own[names[0]] += 1
        within.update(set(names))
    lines = [f"{total} samples of threads '{thread_prefix}*' in the measured window", "self:"]
    lines += [f"{100.0 * n / max(total, 1):5.1f}% {m}" for m, n in own.most_common(top)]
    lines.append("inclusive:")
    lines += [f"{100.0 * n / max(total, 1):5.1f}% {m}" for m, n in within.most_common(top)]
    return lines


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    sub.add_parser("free-port")
    w = sub.add_parser("wait-smtp")
    w.add_argument("port", type=int)
    w.add_argument("timeout", type=float)
    w.add_argument("pid", type=int, nargs="?")
    s = sub.add_parser("sink-count")
    s.add_argument("file")
    c = sub.add_parser("cpu-ms")
    c.add_argument("pid", type=int)
    t = sub.add_parser("thread-cpu")
    t.add_argument("pid", type=int)
    td = sub.add_parser("thread-cpu-diff")
    td.add_argument("before")
    td.add_argument("after")
    td.add_argument("messages", type=int)
    js = sub.add_parser("jit-share")
    js.add_argument("before")
    js.add_argument("after")
    jt = sub.add_parser("jfr-top")
    jt.add_argument("profile_dir")
    jt.add_argument("--thread", default="", help="thread name prefix, e.g. smtp-inbound- or mamori-delivery")
    jt.add_argument("--top", type=int, default=30)
    r = sub.add_parser("peak-rss-kb")
    r.add_argument("pid", type=int)
    d = sub.add_parser("drive")
    d.add_argument("--sink-out", required=True)
    d.add_argument("--target", type=int, required=True)
    d.add_argument("--relay-pid", type=int, default=0)
    d.add_argument("--timeout", type=float, default=600)
    d.add_argument("--settle", type=float, default=0.3)
    d.add_argument("--source-log", required=True)
    d.add_argument("source", nargs=argparse.REMAINDER)
    a = p.parse_args()

    if a.cmd == "free-port":
        print(free_port())
    elif a.cmd == "wait-smtp":
        ok, text = wait_smtp(a.port, a.timeout, a.pid)
        print(text)
        return 0 if ok else 1
    elif a.cmd == "sink-count":
        print(sink_count(a.file))
    elif a.cmd == "cpu-ms":
        v = tree_cpu_ms(a.pid)
        if v is None:
            return 1
        print(f"{v:.0f}")
    elif a.cmd == "thread-cpu":
        print("\n".join(thread_cpu(a.pid)))
    elif a.cmd == "thread-cpu-diff":
        print("\n".join(thread_cpu_diff(a.before, a.after, a.messages)))
    elif a.cmd == "jit-share":
        print(f"{jit_share(a.before, a.after):.1f}")
    elif a.cmd == "jfr-top":
        print("\n".join(jfr_top(a.profile_dir, a.thread, a.top)))
    elif a.cmd == "peak-rss-kb":
        v = peak_rss_kb(a.pid)
        if v is None:
            return 1
        print(v)
    elif a.cmd == "drive":
        src = a.source[1:] if a.source and a.source[0] == "--" else a.source
        a.source = src
        return drive(a)
    return 0


if __name__ == "__main__":
    sys.exit(main())
