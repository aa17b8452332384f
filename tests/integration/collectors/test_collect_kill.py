"""A collect killed with SIGKILL mid-pull, then run again: everything stored exactly once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from collectors import aws, store
from tests.conftest import REPO
from tests.integration.collectors.conftest import HOUR, seed_group, unique_group

SCRIPT = """
import sys
from collectors.collect import collect
summary = collect(sys.argv[1], log_groups=[sys.argv[2]], since=int(sys.argv[3]), until=int(sys.argv[4]),
                  workers=1, flush_rows=50)
print("\\n".join(summary.lines()))
"""


@pytest.mark.slow
def test_killed_collect_resumes_without_loss_or_duplicates(throttle_proxy, monkeypatch, now_ms, tmp_path):
    group = unique_group()
    seed_group(aws.client("logs", aws.session()), group, [now_ms - 4 * HOUR + i * 9000 for i in range(1600)])
    out = tmp_path / "store"
    args = [sys.executable, "-c", SCRIPT, str(out), group, str(now_ms - 4 * HOUR), str(now_ms - 1)]
    env = {**os.environ, "PYTHONPATH": str(REPO), "AWS_ENDPOINT_URL": throttle_proxy.url}
    checkpoint = out / ".lamtrace-checkpoint.json"

    throttle_proxy.delay = 0.25  # 16 slices, one page each: about 4 s in all
    process = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    done_before_kill = 0
    while time.monotonic() < deadline and process.poll() is None:
        try:
            done_before_kill = len(json.loads(checkpoint.read_text())["done"])
        except (OSError, ValueError, KeyError):
            done_before_kill = 0
        if done_before_kill >= 3:
            process.send_signal(signal.SIGKILL)
            break
        time.sleep(0.05)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL, process.stderr.read()
    stored_before = len(list(store.read_log_events(out)))
    assert 0 < stored_before < 1600

    throttle_proxy.delay = 0.0
    rerun = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    assert "resumed:" in rerun.stdout  # the slices stored before the kill were not pulled again
    stored = list(store.read_log_events(out))
    assert len(stored) == 1600
    assert len({e["event_id"] for e in stored}) == 1600
    assert not checkpoint.exists()
