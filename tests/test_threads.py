"""Thread pools sized to the CPUs other work leaves free."""

import os

import numpy as np
import pytest
import torch

from sklspec.transfer import SpectralMLPRegressor
from sklspec.utils import _threads


def test_free_cpus_subtracts_the_threads_other_processes_run(monkeypatch):
    usable = _threads._usable_cpus()
    monkeypatch.setattr(_threads, "_running_elsewhere", lambda: 100)
    assert _threads.free_cpus() == 1
    monkeypatch.setattr(_threads, "_running_elsewhere", lambda: 0)
    assert _threads.free_cpus() == usable
    monkeypatch.setattr(_threads, "_running_elsewhere", lambda: None)  # no /proc
    assert _threads.free_cpus() == usable


@pytest.mark.skipif(not os.path.exists("/proc/loadavg"), reason="Linux's /proc")
def test_running_elsewhere_sees_a_busy_process():
    import multiprocessing

    idle = _threads._running_elsewhere()
    stop = multiprocessing.Event()
    busy = multiprocessing.Process(target=_spin, args=(stop,))
    busy.start()
    try:
        import time

        time.sleep(0.5)
        assert _threads._running_elsewhere() >= min(idle, 1)
        assert _threads._running_elsewhere() >= 1
    finally:
        stop.set()
        busy.join()


def _spin(stop):
    while not stop.is_set():
        pass


def test_training_uses_no_more_threads_than_are_free_and_restores_them(monkeypatch):
    seen = []
    original = torch.set_num_threads

    def recording(n):
        seen.append(n)
        original(n)

    before = torch.get_num_threads()
    monkeypatch.setattr(torch, "set_num_threads", recording)
    monkeypatch.setattr(_threads, "free_cpus", lambda: 1)
    X = np.random.default_rng(0).normal(size=(40, 4))
    SpectralMLPRegressor((8,), max_epochs=2, device="cpu", random_state=0).fit(X, X)
    assert torch.get_num_threads() == before
    assert seen == ([] if before == 1 else [1, before])
    # Never more than torch's own setting (the user's OMP_NUM_THREADS).
    monkeypatch.setattr(_threads, "free_cpus", lambda: before + 8)
    seen.clear()
    with _threads.torch_threads_for_free_cpus() as used:
        assert used == before
    assert seen == []


def test_the_command_limits_blas_to_the_free_cpus(monkeypatch):
    from threadpoolctl import threadpool_info

    from sklspec.cli import _share_the_cpus

    monkeypatch.setattr(_threads, "_running_elsewhere", lambda: 100)
    with _share_the_cpus():
        blas = [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]
        assert blas and set(blas) == {1}


@pytest.mark.skipif(not hasattr(os, "sched_getaffinity"), reason="Linux CPU affinity")
def test_free_cpus_counts_only_the_cpus_this_process_may_use(monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0})
    monkeypatch.setattr(_threads, "_running_elsewhere", lambda: 0)
    assert _threads.free_cpus() == 1
