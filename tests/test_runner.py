"""derivations.runner.verify_all and `verify --jobs`: same results in chapter order, in-process for one job, Ctrl-C."""

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

import derivations
from derivations.claims import Claim
from derivations.check import Check
from derivations.cli import main
from derivations.runner import default_jobs, verify_all

#: Fast claims of several sections (each well under a second alone).
FAST = ["5.1.4", "5.1.ex5", "5.1.9", "5.2.params", "5.4.symmetry"]


def _comparable(result):
    return (result.claim_id, result.holds, [(c.method, c.ok, c.detail, c.max_error) for c in result.checks])


def test_workers_give_the_in_process_results_in_the_given_order():
    chosen = [derivations.claim(cid) for cid in FAST]
    serial = list(verify_all(chosen, jobs=1, examples=5, seed=2))
    parallel = list(verify_all(chosen, jobs=2, examples=5, seed=2))
    assert [c.id for c, _ in parallel] == FAST == [r.claim_id for _, r in serial]
    assert [_comparable(r) for _, r in parallel] == [_comparable(r) for _, r in serial]


def test_jobs_1_runs_in_this_process(monkeypatch):
    seen = []
    claim = derivations.claim("5.1.4")
    monkeypatch.setattr(
        claim, "_check_functions", [lambda ctx: seen.append(os.getpid()) or Check("exact", True, "here")]
    )
    ((_, result),) = verify_all([claim], jobs=1)
    assert result.ok and seen == [os.getpid()]


def test_a_claim_outside_the_registry_runs_in_this_process_in_its_turn():
    stray = Claim(
        "x.1",
        "x",
        "a stray claim",
        "1 = 1",
        True,
        None,
        [lambda ctx: Check("exact", os.getpid() == parent, "ran in the parent")],
    )
    parent = os.getpid()
    chosen = [derivations.claim("5.1.4"), stray, derivations.claim("5.1.9")]
    out = list(verify_all(chosen, jobs=2, examples=3))
    assert [c.id for c, _ in out] == ["5.1.4", "x.1", "5.1.9"] and all(r.ok for _, r in out)


@pytest.mark.parametrize("jobs", [0, -1, 1.5, True, "2"])
def test_bad_jobs_are_a_one_line_error(jobs):
    with pytest.raises(ValueError, match="jobs="):
        list(verify_all([derivations.claim("5.1.4")], jobs=jobs))


def test_bad_examples_fail_before_any_worker_starts():
    with pytest.raises(ValueError, match="examples="):
        list(verify_all([derivations.claim("5.1.4"), derivations.claim("5.1.9")], jobs=2, examples=0))


def test_default_jobs_is_the_usable_cores():
    assert 1 <= default_jobs() <= (os.cpu_count() or 1)


def test_cli_jobs_2_prints_what_jobs_1_prints(capsys):
    argv = ["verify", "--json", "--examples", "3", *[a for cid in FAST for a in ("--claim", cid)]]
    assert main([*argv, "--jobs", "1"]) == 0
    serial = json.loads(capsys.readouterr().out)
    assert main([*argv, "--jobs", "2"]) == 0
    parallel = json.loads(capsys.readouterr().out)
    for p in serial + parallel:
        p.pop("seconds")
    assert parallel == serial
    assert [p["id"] for p in parallel] == [c.id for c in derivations.claims() if c.id in FAST]  # chapter order


def test_cli_rejects_a_bad_jobs_value(capsys):
    assert main(["verify", "--jobs", "0"]) == 2
    assert "--jobs must be a positive integer" in capsys.readouterr().err


def _processes_with(marker: str) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if marker.encode() in (proc / "environ").read_bytes():
                    found.append(int(proc.name))
            except OSError:
                continue
    return found


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="finds the workers through /proc")
def test_ctrl_c_stops_the_workers_and_exits_130_without_a_traceback():
    marker = f"MLP_DERIVATIONS_TEST_MARKER={uuid.uuid4().hex}"
    key, value = marker.split("=")
    env = {**os.environ, key: value, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    # two fast claims, then 5.3.batch (>= 10 s even on an idle machine): once both fast rows are out,
    # one worker is busy with 5.3.batch and the other idle, the two states Ctrl-C must handle
    cmd = [
        sys.executable,
        "-m",
        "derivations",
        "verify",
        "--jobs",
        "2",
        "--claim",
        "5.1.4",
        "--claim",
        "5.1.9",
        "--claim",
        "5.3.batch",
    ]
    proc = subprocess.Popen(
        cmd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job
        # a shell's background job inherits SIGINT ignored: give the CLI the default back
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        for _ in range(4):  # the header, the rule and the two fast claims' rows
            assert proc.stdout.readline(), proc.stderr.read()
        time.sleep(0.5)
        assert len(_processes_with(marker)) >= 3  # the parent and its workers
        interrupted = time.monotonic()
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C signals the whole group: parent and workers
        _, err = proc.communicate(timeout=60)
        stopped = time.monotonic() - interrupted
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130
    assert stopped < 5, f"took {stopped:.1f} s: the busy worker was waited for, not terminated"
    assert "Traceback" not in err and "interrupted" in err
    deadline = time.monotonic() + 10
    while _processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _processes_with(marker) == []  # no worker left behind
