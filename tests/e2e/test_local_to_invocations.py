"""A `lamtrace local` run with known outcomes → `load()` → the invocation table matches what really happened."""

from __future__ import annotations

import pytest

from lamtrace.analysis import load

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from lamtrace.local.demo import run_demo

    out = tmp_path_factory.mktemp("demo")
    return out, run_demo(out)


def test_invocation_table_matches_the_run_summary(demo):
    out, truth = demo
    ds = load(logs=str(out))
    inv = ds.invocations
    assert len(inv) == truth["attempts"]
    assert inv[["function", "request_id"]].drop_duplicates().shape[0] == truth["requests"]
    assert int((inv["attempt"] > 1).sum()) == truth["retries"]
    outcomes = inv["outcome"].value_counts().to_dict()
    assert outcomes.get("success", 0) == truth["success"]
    assert outcomes.get("error", 0) == truth["errors"]
    assert outcomes.get("timeout", 0) == truth["timeouts"]
    assert outcomes.get("crash", 0) == truth["crashes"]
    assert outcomes.get("init_error", 0) == truth["init_errors"]
    kinds = inv["start_kind"].value_counts().to_dict()
    assert kinds.get("cold", 0) == truth["cold_starts"]
    provisioned_envs = inv.loc[inv["start_kind"] == "provisioned", "log_stream"]
    assert inv["log_stream"].isin(provisioned_envs).sum() == truth["provisioned_invocations"]
    assert int(inv["sampled"].fillna(False).sum()) == truth["sampled"]
    assert int(inv["has_trace"].sum()) == truth["sampled"]
    # the demo's handlers use @lamtrace.instrument: its invocation_end records give trigger and delivery
    ended = inv[inv["outcome"] != "timeout"]  # a timed-out handler is killed before it can print one
    assert ended["trigger"].notna().all()
    assert int((inv["delivery_attempt"] > 1).sum()) == truth["redeliveries"]
    assert ds.coverage["unparsed_events"] == 0 and ds.coverage["attempts_without_report"] == 0
    assert set(inv["log_format"]) == {"text", "json"}  # the demo's worker logs in the JSON format
