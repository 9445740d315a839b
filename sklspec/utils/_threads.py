"""Thread pools sized to the CPUs that other work leaves free.

Torch's intra-op threads and the BLAS threads of numpy spin while they wait
for each other; on a machine shared with other CPU-heavy jobs a thread that
loses its core keeps the others spinning, and a fit takes several times its
CPU time (``benchmarks/RESULTS.md``, "A shared machine"). So the package
never runs more threads than the CPUs left free by other work: the CPUs this
process may use, less the one-minute load average that is not its own. The
user's ``OMP_NUM_THREADS`` (which torch reads) and any lower setting stay
upper bounds: these limits only lower.
"""

import contextlib
import os
import time

# (wall, process CPU) seconds at the last estimate: this process's own share
# of the load average is its CPU use since then.
_last_sample = None


def _usable_cpus():
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def free_cpus():
    """CPUs not busy with other processes' work now: at least 1.

    The one-minute load average counts this process's own threads too; its
    CPU use since the last call (or since it started) is subtracted. Where
    the system has no load average, every usable CPU counts as free.
    """
    global _last_sample
    cpus = _usable_cpus()
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):
        return cpus
    now, used = time.monotonic(), time.process_time()
    if _last_sample is None:
        since = max(now - _process_start(), 1e-3)
        own = used / since
    else:
        since = max(now - _last_sample[0], 1e-3)
        own = (used - _last_sample[1]) / since
    _last_sample = (now, used)
    others = max(0.0, load - min(own, cpus))
    return max(1, min(cpus, round(cpus - others)))


def _process_start():
    try:
        with open(f"/proc/{os.getpid()}/stat") as stat:
            ticks = int(stat.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime") as uptime:
            boot = time.monotonic() - float(uptime.read().split()[0])
        return boot + ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return time.monotonic() - 60.0


@contextlib.contextmanager
def torch_threads_for_free_cpus():
    """Run torch with no more intra-op threads than :func:`free_cpus`, then restore them."""
    import torch

    before = torch.get_num_threads()
    wanted = min(before, free_cpus())
    if wanted == before:
        yield before
        return
    torch.set_num_threads(wanted)
    try:
        yield wanted
    finally:
        torch.set_num_threads(before)
