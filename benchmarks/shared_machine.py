"""The command's CPU seconds and wall time on an idle machine and next to busy processes.

    python benchmarks/shared_machine.py                       # fit-transfer and demo --quick
    python benchmarks/shared_machine.py --commands demo --busy 6
    python benchmarks/shared_machine.py --python "env PYTHONPATH=/other/checkout python"

Each command runs once idle, then once next to ``--busy`` processes that
spin on the CPU (pure Python loops, one per process). CPU seconds are the
command's own (user + system, from the kernel's accounting of the child);
the load average is read when the command starts. ``--python`` runs another
checkout's ``sklspec`` (``python -m sklspec.cli``) for a before/after
comparison.
"""

import argparse
import multiprocessing
import os
import resource
import shlex
import subprocess
import tempfile
import time

import numpy as np


def _spin(stop):
    while not stop.is_set():
        for _ in range(100_000):
            pass


def _corn_files(folder):
    from sklspec.datasets import load_corn

    corn = load_corn()
    rows = corn.split != "test"
    header = ",".join(corn.feature_names)
    for instrument in ("m5", "mp5"):
        np.savetxt(
            os.path.join(folder, f"corn_{instrument}.csv"),
            corn.spectra[instrument][rows],
            delimiter=",",
            header=header,
            comments="",
        )


COMMANDS = {
    "fit-transfer": "fit-transfer --primary corn_m5.csv --secondary corn_mp5.csv "
    "-o corn.sklspec --force",
    "demo-quick": "demo --quick -o demo --force",
    "demo": "demo -o demo --force",
}


def _run(python, command, folder):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load = os.getloadavg()[0]
    start = time.perf_counter()
    subprocess.run(
        [*shlex.split(python), "-m", "sklspec.cli", *shlex.split(COMMANDS[command])],
        cwd=folder,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, load


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", nargs="+", default=["fit-transfer", "demo-quick"])
    parser.add_argument("--busy", type=int, default=6, help="spinning processes when shared")
    parser.add_argument("--python", default="python", help="interpreter (and environment)")
    parser.add_argument(
        "--warm", type=float, default=20, help="seconds the busy ones run before the command"
    )
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs; {args.busy} busy processes when shared; {args.python}")
    print(f"{'command':<14}{'machine':<10}{'wall s':>9}{'CPU s':>9}{'load':>7}")
    with tempfile.TemporaryDirectory() as folder:
        _corn_files(folder)
        # Idle runs first: the shared runs' busy processes leave nothing behind.
        runs = [(False, c) for c in args.commands] + [(True, c) for c in args.commands]
        for shared, command in runs:
            stop, busy = multiprocessing.Event(), []
            if shared:
                busy = [
                    multiprocessing.Process(target=_spin, args=(stop,)) for _ in range(args.busy)
                ]
                for process in busy:
                    process.start()
                time.sleep(args.warm)  # the load average catches up
            try:
                wall, cpu, load = _run(args.python, command, folder)
            finally:
                stop.set()
                for process in busy:
                    process.join()
            machine = "shared" if shared else "idle"
            print(f"{command:<14}{machine:<10}{wall:>9.1f}{cpu:>9.1f}{load:>7.1f}", flush=True)

if __name__ == "__main__":
    main()
