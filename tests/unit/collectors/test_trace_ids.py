"""collectors.xray.trace_ids_in: trace ids mentioned in log messages."""

from __future__ import annotations

from collectors.xray import trace_ids_in


def test_ids_from_report_powertools_and_trace_headers_in_first_mention_order():
    messages = [
        "REPORT RequestId: r\tDuration: 1.00 ms\t\nXRAY TraceId: 1-5d83c0ad-b8eb33a0b1de97d804fac890\tSegmentId: 31255c3b19bd3637\tSampled: true",
        '{"xray_trace_id":"1-6627b6ea-0123456789abcdef01234567","level":"INFO"}',
        "Root=1-5d83c0ad-b8eb33a0b1de97d804fac890;Parent=53995c3f42cd8ad8;Sampled=1",
        "no id here, and not 1-zz83c0ad-b8eb33a0b1de97d804fac890 nor 11-5d83c0ad-b8eb33a0b1de97d804fac890",
    ]
    assert trace_ids_in(messages) == [
        "1-5d83c0ad-b8eb33a0b1de97d804fac890",
        "1-6627b6ea-0123456789abcdef01234567",
    ]
