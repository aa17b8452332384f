from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.unit.runtime.tracing.xray_documents import UdpReceiver


@pytest.fixture
def daemon(monkeypatch: pytest.MonkeyPatch) -> Iterator[UdpReceiver]:
    """A UDP socket the X-Ray backends send to (AWS_XRAY_DAEMON_ADDRESS points at it)."""
    receiver = UdpReceiver()
    monkeypatch.setenv("AWS_XRAY_DAEMON_ADDRESS", receiver.address)
    yield receiver
    receiver.close()
