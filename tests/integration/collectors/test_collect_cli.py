"""`lamtrace collect` as users run it: a subprocess against the moto server, then the store is read back."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from collectors import aws, store
from tests.conftest import REPO
from tests.integration.collectors.conftest import HOUR, seed_group, unique_group
from tests.integration.collectors.test_xray import put_traces


def run_collect(*args: str, env: dict[str, str | None] | None = None) -> subprocess.CompletedProcess:
    """Run the CLI; ``env`` adds variables to this environment (None removes one)."""
    environment = dict(os.environ)
    for key, value in (env or {}).items():
        if value is None:
            environment.pop(key, None)
        else:
            environment[key] = value
    environment["PYTHONPATH"] = str(REPO)
    return subprocess.run(
        [sys.executable, "-m", "lamtrace", "collect", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        cwd=REPO,
    )


@pytest.mark.slow
def test_collect_twice_then_read_the_store(aws_env, logs, now_ms, tmp_path):
    # groups outside /aws/lambda/: collect then asks X-Ray without a filter expression (moto cannot evaluate them)
    groups = [unique_group("/custom/app"), unique_group("/custom/app")]
    seeded = []
    for group in groups:
        stamps = [now_ms - 3 * HOUR + i * 60_000 for i in range(150)]
        seeded += [(group, *e) for e in seed_group(logs, group, stamps)]
    xray_client = aws.client("xray", aws.session())
    traces = put_traces(xray_client, 6, time.time() - 1800)
    out = tmp_path / "store"
    args = [
        "--log-group",
        groups[0],
        "--log-group",
        groups[1],
        "--since",
        "4h",
        "--out",
        str(out),
        "--traces",
    ]

    first = run_collect(*args)
    assert first.returncode == 0, first.stderr
    assert "events: 300 pulled, 300 new in the store, 0 already there" in first.stdout
    assert "log groups: 2" in first.stdout and "new segments" in first.stdout
    stored = list(store.read_log_events(out))
    assert sorted((e["log_group"], e["log_stream"], e["timestamp"], e["message"]) for e in stored) == sorted(
        seeded
    )
    segments = {(d["trace_id"], d["segment_id"]) for d in store.read_trace_documents(out)}
    assert {t for t, _ in segments} >= set(traces)
    assert not (out / ".lamtrace-checkpoint.json").exists()

    second = run_collect(*args)
    assert second.returncode == 0, second.stderr
    assert "events: 300 pulled, 0 new in the store, " in second.stdout
    assert len(list(store.read_log_events(out))) == 300
    assert {(d["trace_id"], d["segment_id"]) for d in store.read_trace_documents(out)} == segments


def test_unknown_log_group_is_one_line(aws_env, tmp_path):
    result = run_collect("--log-group", "/aws/lambda/does-not-exist", "--since", "1h", "--out", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr == "lamtrace: error: log group not found: /aws/lambda/does-not-exist\n"


def test_missing_credentials_is_one_line(moto_server, tmp_path):
    env = {k: "" for k in os.environ if k.startswith("AWS_")}
    env.update(
        {
            "AWS_ENDPOINT_URL": moto_server,
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_CONFIG_FILE": str(tmp_path / "none"),
            "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
            "AWS_EC2_METADATA_DISABLED": "true",
        }
    )
    environment = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    environment.update({k: v for k, v in env.items() if v})
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "lamtrace",
            "collect",
            "--log-group",
            "g",
            "--since",
            "1h",
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        env={**environment, "PYTHONPATH": str(REPO)},
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("lamtrace: error: no AWS credentials found")
    assert result.stderr.count("\n") == 1


def test_unknown_profile_is_one_line(aws_env, tmp_path):
    result = run_collect(
        "--log-group", "g", "--since", "1h", "--out", str(tmp_path), "--profile", "nope-profile"
    )
    assert result.returncode == 2
    assert result.stderr == "lamtrace: error: AWS profile 'nope-profile' not found in your AWS config files\n"


def test_bad_time_and_no_group_are_input_errors(aws_env, tmp_path):
    result = run_collect("--log-group", "g", "--since", "yesterday-ish", "--out", str(tmp_path))
    assert result.returncode == 2 and "cannot read the time 'yesterday-ish'" in result.stderr
    result = run_collect("--since", "1h", "--out", str(tmp_path))
    assert result.returncode == 2 and "give at least one --log-group" in result.stderr


def test_shipped_iam_policy_is_valid_json():
    policy = json.loads((REPO / "examples/iam/lamtrace-collect-policy.json").read_text())
    actions = {
        a
        for s in policy["Statement"]
        for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    }
    assert all(
        a.split(":")[1].startswith(("Get", "Describe", "Filter", "BatchGet")) for a in actions
    )  # read-only


def test_profile_and_region_from_aws_config_files(aws_env, logs, now_ms, tmp_path):
    group = unique_group("/custom/profile")
    seed_group(logs, group, [now_ms - HOUR + i for i in range(7)])
    (tmp_path / "credentials").write_text(
        "[lt]\naws_access_key_id = testing\naws_secret_access_key = testing\n"
    )
    (tmp_path / "config").write_text(f"[profile lt]\nregion = us-east-1\nendpoint_url = {aws_env}\n")
    env = {
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
        "AWS_CONFIG_FILE": str(tmp_path / "config"),
        "AWS_ACCESS_KEY_ID": None,
        "AWS_SECRET_ACCESS_KEY": None,
        "AWS_DEFAULT_REGION": None,
        "AWS_ENDPOINT_URL": None,
    }
    args = ["--log-group", group, "--since", "2h", "--out", str(tmp_path / "store")]
    result = run_collect(*args, "--profile", "lt", env=env)
    assert result.returncode == 0, result.stderr
    assert "events: 7 pulled, 7 new" in result.stdout
    # --region wins over the profile's region: the group does not exist in eu-west-1
    result = run_collect(*args, "--profile", "lt", "--region", "eu-west-1", env=env)
    assert result.returncode == 2 and f"log group not found: {group}" in result.stderr


def test_traces_from_logs_fetches_only_the_mentioned_traces(aws_env, logs, now_ms, tmp_path):
    from collectors.collect import collect

    xray_client = aws.client("xray", aws.session())
    traces = list(put_traces(xray_client, 5, time.time() - 1200))
    group = unique_group("/custom/from-logs")
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    report = (
        "REPORT RequestId: 6795fe66-02b7-4e64-98b5-1061b6d08b6d\tDuration: 2.00 ms\tBilled Duration: 2 ms\t"
        "Memory Size: 128 MB\tMax Memory Used: 50 MB\t\nXRAY TraceId: {}\tSegmentId: 0a1b2c3d4e5f6071\tSampled: true\t\n"
    )
    powertools = '{{"level":"INFO","message":"ok","xray_trace_id":"{}"}}\n'
    logs.put_log_events(
        logGroupName=group,
        logStreamName="s",
        logEvents=[
            {"timestamp": now_ms - HOUR, "message": report.format(traces[0])},
            {"timestamp": now_ms - HOUR + 1, "message": report.format(traces[1])},
            {"timestamp": now_ms - HOUR + 2, "message": powertools.format(traces[2])},
            {"timestamp": now_ms - HOUR + 3, "message": powertools.format(traces[2])},
        ],
    )
    summary = collect(tmp_path, log_groups=[group], since="2h", trace_ids_from_logs=True)
    stored = {d["trace_id"] for d in store.read_trace_documents(tmp_path)}
    assert stored == set(traces[:3])
    assert summary.trace_ids == 3 and summary.segments_stored == 6
