"""Thread pools sized to the CPUs that other work leaves free.

Torch's intra-op threads and the BLAS threads of numpy spin while they wait
for each other; on a machine shared with other CPU-heavy jobs a thread that
loses its core keeps the others spinning, and a fit takes several times its
CPU time (``benchmarks/RESULTS.md``, "A shared machine"). So the package
never runs more threads than the CPUs left free by other work: the CPUs this
process may use, less the threads of other processes running or waiting to
run (the kernel's count, read when a fit starts). The user's
``OMP_NUM_THREADS`` (which torch reads) and any lower setting stay upper
bounds: these limits only lower.
"""

import contextlib
import os
import time


def _usable_cpus():
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _running_threads_of_this_process():
    running = 0
    for task in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{task}/stat") as stat:
                running += stat.read().rsplit(")", 1)[1].split()[0] == "R"
        except OSError:  # the thread ended meanwhile
            continue
    return running


def _running_elsewhere():
    """Threads of other processes running or ready to run now (Linux), or None.

    The kernel's count of runnable threads (``/proc/loadavg``) less this
    process's own, the median of three readings a millisecond apart (it is
    read at every fit: a few milliseconds, not more).
    """
    readings = []
    try:
        for reading in range(3):
            if reading:
                time.sleep(0.001)
            with open("/proc/loadavg") as loadavg:
                runnable = int(loadavg.read().split()[3].split("/")[0])
            readings.append(runnable - _running_threads_of_this_process())
    except (OSError, ValueError, IndexError):
        return None
    return max(0, sorted(readings)[len(readings) // 2])


def free_cpus():
    """CPUs not busy with other processes' work now: at least 1.

    On Linux, the threads of other processes running or waiting to run now;
    elsewhere every usable CPU counts as free.
    """
    cpus = _usable_cpus()
    others = _running_elsewhere()
    if others is None:
        return cpus
    return max(1, min(cpus, cpus - others))


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
