"""The report's figures for one set of invocation attempts (a function, a group, or everything).

Pure aggregation over the invocation table (docs/schema.md): DataFrame in, JSON-safe dict out. Every figure is
defined in docs/report.md; every percentile carries its n and every rate is ``None`` when its denominator is 0.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from typing import Any

import pandas as pd

from lamtrace.analysis.pricing import Prices, cost
from lamtrace.analysis.stats import mean, percentiles, rate

OUTCOMES = ("success", "error", "timeout", "crash", "init_error")
COLD_KINDS = ("cold", "provisioned", "snapstart", "proactive")
INIT_QUANTILES = (50, 99)
MEMORY_STEP_MB = 64  # right-size suggestions are rounded up to this
MEMORY_HEADROOM = 1.3  # suggest peak x this
MIN_MEMORY_MB = 128
FINAL = "_final_attempt"  # working column: the row is its invocation's last attempt
XRAY_COLUMNS = ("xray_init_ms", "xray_invocation_ms", "xray_overhead_ms", "xray_total_ms", "downstream_ms")


def figures(frame: pd.DataFrame, prices: Prices) -> dict[str, Any]:
    """All figures for one set of attempts (see docs/report.md for each definition)."""
    final = final_mask(frame)
    attempts, n_invocations = len(frame), int(final.sum())
    outcome_counts = _counts(frame["outcome"], OUTCOMES)
    final_counts = _counts(frame["outcome"][final], OUTCOMES)
    cold = frame["cold_start"].fillna(False).astype(bool)
    duration = frame["duration_ms"]
    successful = frame["outcome"] == "success"
    traced = int(frame["has_trace"].fillna(False).astype(bool).sum())
    return {
        "attempts": attempts,
        "invocations": n_invocations,
        "retries": attempts - n_invocations,
        "redeliveries": redeliveries(
            frame.loc[final, ["function", "delivery_key", "delivery_attempt", "start_time"]]
        ),
        "errors": outcome_counts["error"],
        "timeouts": outcome_counts["timeout"],
        "crashes": outcome_counts["crash"],
        "init_errors": outcome_counts["init_error"],
        "outcomes": outcome_counts,
        "outcome_rates": {k: rate(v, attempts) for k, v in outcome_counts.items()},
        "final_outcomes": final_counts,
        "final_outcome_rates": {k: rate(v, n_invocations) for k, v in final_counts.items()},
        "error_rate": rate(outcome_counts["error"], attempts),
        "timeout_rate": rate(outcome_counts["timeout"], attempts),
        "failed_attempts": attempts - outcome_counts["success"],
        "failed_attempt_rate": rate(attempts - outcome_counts["success"], attempts),
        "failed_invocations": n_invocations - final_counts["success"],
        "failure_rate": rate(n_invocations - final_counts["success"], n_invocations),
        "app_error_lines_in_successful_attempts": int(frame.loc[successful, "app_errors"].fillna(0).sum()),
        "cold_starts": int(cold.sum()),
        "cold_start_rate": rate(int(cold.sum()), attempts),
        "cold_starts_by_kind": _counts(frame["start_kind"][cold], COLD_KINDS),
        "init_ms": percentiles(frame["init_ms"], INIT_QUANTILES),
        "restore_ms": percentiles(frame["restore_ms"], INIT_QUANTILES),
        "duration_ms": percentiles(frame["duration_ms"]),
        "duration_warm_ms": percentiles(duration[~cold]),
        "duration_cold_ms": percentiles(duration[cold]),
        "end_to_end_ms": percentiles(end_to_end_ms(frame)),
        "billed_ms": {
            "n": int(frame["billed_ms"].notna().sum()),
            "total": round(float(frame["billed_ms"].sum(skipna=True)), 3),
            "mean": mean(frame["billed_ms"]),
        },
        "memory": memory(frame),
        "cost": cost(frame, prices),
        "environments": environments(frame),
        "traced": traced,
        "trace_coverage": rate(traced, attempts),
        "xray": xray_breakdown(frame),
        "attempts_with_report": int(frame["has_report"].fillna(False).astype(bool).sum()),
        "attempts_with_app_logs": int(frame["has_app_logs"].fillna(False).astype(bool).sum()),
    }


def final_mask(frame: pd.DataFrame) -> pd.Series:
    """True on each invocation's last attempt (highest ``attempt``, then latest start): its outcome is the final one.

    Uses a precomputed ``FINAL`` column when the frame has one (``build_report`` computes it once for all groups).
    """
    if FINAL in frame:
        return frame[FINAL]
    key = frame.groupby(["function", "request_id"], dropna=False, sort=False).ngroup()
    order = pd.DataFrame(
        {"key": key, "attempt": frame["attempt"], "start": frame["start_time"]}, index=frame.index
    )
    order = order.sort_values(["attempt", "start"], kind="stable", na_position="first")
    last = order.index[~order["key"].duplicated(keep="last")]
    return pd.Series(frame.index.isin(last), index=frame.index)


def redeliveries(invocations: pd.DataFrame) -> int:
    """Invocations that redeliver an event: ``delivery_attempt`` > 1, or a delivery key seen in an earlier one."""
    if invocations["delivery_key"].isna().all() and invocations["delivery_attempt"].isna().all():
        return 0
    attempt = pd.to_numeric(invocations["delivery_attempt"], errors="coerce")
    ordered = invocations.assign(_later=attempt.gt(1).to_numpy()).sort_values("start_time", kind="stable")
    keyed = ordered["delivery_key"].notna()
    repeated = keyed & ordered.duplicated(["function", "delivery_key"], keep="first")
    return int((ordered["_later"] | repeated).sum())


def end_to_end_ms(frame: pd.DataFrame) -> pd.Series:
    """Init + Restore + Duration per attempt (missing init/restore count as 0; missing Duration stays missing)."""
    return frame["duration_ms"] + frame["init_ms"].fillna(0.0) + frame["restore_ms"].fillna(0.0)


def memory(frame: pd.DataFrame) -> dict[str, Any]:
    """Configured memory vs Max Memory Used, and a right-size hint."""
    configured = pd.to_numeric(frame["memory_mb"], errors="coerce").dropna()
    used = pd.to_numeric(frame["max_memory_mb"], errors="coerce")
    size = int(configured.max()) if len(configured) else None
    peak = int(used.max()) if used.notna().any() else None
    result = {
        "memory_mb": size,
        "memory_sizes_mb": sorted(int(v) for v in configured.unique()),
        "max_memory_used_mb": percentiles(used, INIT_QUANTILES),
        "utilisation": rate(peak, size) if size and peak is not None else None,
    }
    result["hint"] = right_size_hint(size, peak)
    return result


def right_size_hint(size: int | None, peak: int | None) -> dict[str, Any]:
    """``{"verdict": ok|over|near_limit|unknown, "suggested_mb", "text"}`` from configured size and peak use."""
    if not size or peak is None:
        return {"verdict": "unknown", "suggested_mb": None, "text": "no Memory Size / Max Memory Used seen"}
    if peak >= 0.9 * size:
        return {
            "verdict": "near_limit",
            "suggested_mb": None,
            "text": f"peak {peak} MB of {size} MB: close to the limit (out-of-memory risk)",
        }
    suggested = max(MIN_MEMORY_MB, math.ceil(peak * MEMORY_HEADROOM / MEMORY_STEP_MB) * MEMORY_STEP_MB)
    if peak <= 0.5 * size and suggested < size:
        return {
            "verdict": "over",
            "suggested_mb": suggested,
            "text": f"peak {peak} MB of {size} MB: {suggested} MB would fit; CPU scales with memory, "
            "so check duration before lowering it",
        }
    return {"verdict": "ok", "suggested_mb": None, "text": f"peak {peak} MB of {size} MB"}


def environments(frame: pd.DataFrame) -> dict[str, Any]:
    """Execution environments (log streams): count, attempts each, lifetime first start -> last end (seconds)."""
    if frame.empty:
        return {"count": 0, "attempts_per_environment": percentiles([]), "lifetime_s": percentiles([])}
    grouped = frame.groupby("log_stream", dropna=True, observed=True)
    per_env = grouped.size()
    lifetime = (grouped["end_time"].max() - grouped["start_time"].min()).dt.total_seconds()
    return {
        "count": int(per_env.size),
        "attempts_per_environment": percentiles(per_env.to_numpy()),
        "lifetime_s": percentiles(lifetime.to_numpy()),
    }


def xray_breakdown(frame: pd.DataFrame) -> dict[str, Any]:
    """Where time goes in traced attempts: X-Ray phases and downstream time per service (mean ms per traced attempt)."""
    columns = [
        c for c in (*XRAY_COLUMNS, "downstream", "xray_fault", "xray_error", "xray_throttle") if c in frame
    ]
    traced = frame.loc[frame["has_trace"].fillna(False).astype(bool), columns]
    phases = {
        column: percentiles(traced[column], (50, 99)) if column in traced else percentiles([], (50, 99))
        for column in XRAY_COLUMNS
    }
    services: Counter[str] = Counter()
    calls: Counter[str] = Counter()
    for text in traced["downstream"].dropna() if "downstream" in traced else ():
        try:
            for service, ms in json.loads(text).items():
                services[service] += float(ms)
                calls[service] += 1
        except (ValueError, TypeError, AttributeError):
            continue
    flags = {
        name: int(traced[column].fillna(False).astype(bool).sum()) if column in traced else 0
        for name, column in (
            ("faults", "xray_fault"),
            ("errors", "xray_error"),
            ("throttles", "xray_throttle"),
        )
    }
    # Means over attempts with a breakdown, a missing phase counting 0 ms: unlike p50s these add up (init is rare).
    broken_down = traced[[c for c in XRAY_COLUMNS if c in traced]].astype("float64")
    broken_down = broken_down[broken_down.notna().any(axis=1)]
    return {
        "attempts": len(traced),
        **phases,
        "with_breakdown": len(broken_down),
        "mean_per_attempt_ms": {
            column: round(float(broken_down[column].fillna(0.0).mean()), 3) if len(broken_down) else None
            for column in broken_down.columns
            if column != "xray_total_ms"
        },
        "downstream_by_service": {
            service: {
                "attempts": calls[service],
                "total_ms": round(total, 3),
                "mean_ms": round(total / calls[service], 3),
            }
            for service, total in services.most_common()
        },
        **flags,
    }


def _counts(series: pd.Series, keys: tuple[str, ...]) -> dict[str, int]:
    counts = series.value_counts(dropna=True)
    result = {key: int(counts.get(key, 0)) for key in keys}
    result.update(
        {str(k): int(v) for k, v in counts.items() if k not in result and v}
    )  # v: categories count 0
    return result
