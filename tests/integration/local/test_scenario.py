"""Scenarios with known outcomes: the raw output says exactly what the emulator did."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lamtrace.cli import main
from lamtrace.errors import InputError
from lamtrace.local.scenario import load_scenario, run_scenario
from tests.integration.local.raw_output import check_and_count

HANDLERS = Path(__file__).parent / "handlers"

SCENARIO = {
    "time_scale": 0.002,
    "seed": 3,
    "functions": {
        "api": {"handler": "fixtures_fn.echo", "path": str(HANDLERS), "tracing": "Active", "sample_rate": 1.0},
        "jobs": {"handler": "fixtures_fn.sleep", "path": str(HANDLERS), "timeout_s": 0.5, "log_format": "JSON"},
        "mailer": {"handler": "fixtures_fn.fail", "path": str(HANDLERS), "async": {"max_retry_attempts": 1}},
        "worker": {"handler": "fixtures_fn.sqs_batch", "path": str(HANDLERS)},
    },
    "queues": {"q": {"function": "worker", "batch_size": 10, "visibility_timeout_s": 300, "max_receive_count": 5,
                     "report_batch_item_failures": True}},
    "traffic": [
        {"invoke": "api", "count": 4},  # 1 cold + 3 warm, all sampled
        {"invoke": "jobs", "events": [{"seconds": 0}, {"seconds": 2}, {"seconds": 0}]},  # timeout, then cold again
        {"invoke": "mailer", "invocation_type": "Event", "event": {"message": "smtp down"}},  # 1 + 1 retry
        {"send": "q", "messages": [{"n": 1}, {"fail_until": 2}]},  # 2nd message: delivered 3 times
        {"drain": "q"},
    ],
}  # fmt: skip


def test_known_scenario_counts_match_the_raw_output(tmp_path):
    summary = run_scenario(SCENARIO, tmp_path)
    assert summary == {
        "attempts": 12, "requests": 11, "cold_starts": 5, "provisioned_invocations": 0, "retries": 1,
        "redeliveries": 2, "success": 9, "errors": 2, "timeouts": 1, "crashes": 0, "init_errors": 0,
        "sampled": 4, "throttles": 0, "reclaimed": 0, "dead_letters": 1,
    }  # fmt: skip
    counted = check_and_count(tmp_path)
    assert counted == {
        "attempts": 12, "requests": 11, "retries": 1, "cold_starts": 5, "errors_reported": 2, "timeouts": 1,
        "sampled": 4, "timeout_lines": 0, "runtime_exit_lines": 0, "init_starts": 5,
    }  # fmt: skip
    # the timeout is in the JSON-format function: platform.runtimeDone status timeout, no text timeout line
    traces = [json.loads(line) for line in (tmp_path / "traces" / "api.jsonl").read_text().splitlines()]
    assert len(traces) == 8  # AWS::Lambda + AWS::Lambda::Function per sampled invocation


def test_yaml_and_json_scenario_files(tmp_path):
    yaml_file = tmp_path / "s.yaml"
    yaml_file.write_text(
        "functions:\n  api:\n    handler: fixtures_fn.echo\n    path: handlers\ntraffic:\n  - {invoke: api, count: 2}\n"
    )
    loaded = load_scenario(yaml_file)
    assert loaded["functions"]["api"]["handler"] == "fixtures_fn.echo" and loaded["base_dir"] == str(tmp_path)
    json_file = tmp_path / "s.json"
    json_file.write_text(json.dumps({**SCENARIO, "traffic": [{"invoke": "api", "count": 2}]}))
    assert run_scenario(json_file, tmp_path / "out")["attempts"] == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "invalid JSON"),
        ('{"traffic": []}', "needs a 'functions'"),
        ('{"functions": {"f": {"path": "."}}}', "needs a 'handler'"),
        ('{"functions": {"f": {"handler": "m.f", "colour": "red"}}}', "unexpected keyword"),
        ('{"functions": {"f": {"handler": "m.f"}}, "traffic": [{"dance": 1}]}', "unknown traffic step"),
    ],
)
def test_bad_scenarios_are_clear_errors(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(InputError, match=message):
        run_scenario(path, tmp_path / "out")


def test_cli_invoke_exit_codes_and_output(tmp_path, capsys):
    event = tmp_path / "event.json"
    event.write_text('{"n": 1}')
    common = ["--path", str(HANDLERS), "--out", str(tmp_path / "ok")]
    assert main(["local", "invoke", "fixtures_fn.echo", "--event", str(event), "--repeat", "2", *common]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and "success  cold" in lines[0] and "success  warm" in lines[1]
    assert check_and_count(tmp_path / "ok")["attempts"] == 2
    failing = ["local", "invoke", "fixtures_fn.fail", "--path", str(HANDLERS), "--out", str(tmp_path / "bad")]
    assert main(failing) == 1
    assert "ValueError: bad input" in capsys.readouterr().out
    assert check_and_count(tmp_path / "bad")["errors_reported"] == 1  # telemetry written before exiting 1
    assert (
        main(["local", "invoke", "fixtures_fn.echo", "--event", str(tmp_path / "missing.json"), *common]) == 2
    )


def test_cli_run_writes_summary(tmp_path, capsys):
    scenario = tmp_path / "s.json"
    scenario.write_text(
        json.dumps({"functions": SCENARIO["functions"], "traffic": [{"invoke": "api", "count": 3}]})
    )
    summary_file = tmp_path / "summary.json"
    assert (
        main(["local", "run", str(scenario), "--out", str(tmp_path / "out"), "--summary", str(summary_file)])
        == 0
    )
    assert json.loads(summary_file.read_text())["attempts"] == 3
    assert "cold_starts" in capsys.readouterr().out
