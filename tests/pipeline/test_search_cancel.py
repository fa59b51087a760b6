"""A search whose client hangs up is stopped (issue 16), on SQLite and on PostgreSQL.

The report: snippets went on being built for 30 minutes after the client left. Here a real server
(uvicorn on a free port) gets a search from a raw socket that then closes; the store's search is
held until the server has noticed, then runs, and must stop instead of building its snippets.
Texts are invented.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import uvicorn
from test_hostile_api import Opener, opener  # noqa: F401 - the backend-parametrised fixture

from pipeline.config import Config
from pipeline.web.api import create_app
from storage.base import Store
from storage.cancel import SearchCancelled, cancel_when, cancelled
from storage.models import Document


class HeldStore:
    """A store whose ``search`` waits until its caller is cancelled (or 30 s), then really searches."""

    def __init__(self, inner: Store, outcome: list[str]) -> None:
        self.inner, self.outcome = inner, outcome

    def search(self, *args: Any, **kwargs: Any) -> Any:
        deadline = time.monotonic() + 30
        while not cancelled() and time.monotonic() < deadline:
            time.sleep(0.01)
        try:
            result = self.inner.search(*args, **kwargs)
        except SearchCancelled:
            self.outcome.append("cancelled")
            raise
        self.outcome.append("finished")
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@pytest.fixture
def filled(opener: Opener) -> Opener:  # noqa: F811 - pytest fixture chaining
    store = opener()
    for i in range(5):
        store.upsert(Document(url=f"https://ledger.example/{i}", source="ledger", title=f"Harbour {i}",
                              text=f"The harbour reopened on day {i} after the storm, the port office said."))
    store.close()
    return opener


@pytest.fixture
def server(config: Config, filled: Opener) -> Iterator[tuple[Any, int, list[str]]]:
    outcome: list[str] = []
    app = create_app(config, None, store_factory=lambda: HeldStore(filled(), outcome))  # type: ignore[arg-type]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(500):
        if srv.started:
            break
        time.sleep(0.01)
    yield app, port, outcome
    srv.should_exit = True
    thread.join(10)


def wait_for(condition: Callable[[], bool]) -> bool:
    for _ in range(3000):
        if condition():
            return True
        time.sleep(0.01)
    return False


@pytest.mark.parametrize("path", ["/api/search?q=harbour&limit=5", "/?q=harbour"])
def test_a_search_whose_client_hangs_up_is_stopped(server: tuple[Any, int, list[str]], path: str) -> None:
    app, port, outcome = server
    with socket.create_connection(("127.0.0.1", port)) as client:
        client.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        time.sleep(0.2)  # let the request reach the handler before hanging up
    assert wait_for(lambda: bool(outcome)), "the held search never ran"
    assert outcome == ["cancelled"]
    assert wait_for(lambda: app.state.searches_cancelled == 1)


def test_a_client_that_stays_gets_its_answer(config: Config, filled: Opener) -> None:  # noqa: F811
    from fastapi.testclient import TestClient

    client = TestClient(create_app(config, None, store_factory=filled), base_url="http://127.0.0.1")
    assert client.get("/api/search", params={"q": "harbour"}).json()["total"] == 5


def test_a_cancelled_search_stops_on_every_backend(filled: Opener) -> None:
    store = filled()
    try:
        with cancel_when(lambda: True), pytest.raises(SearchCancelled):
            store.search("harbour")
        assert store.search("harbour").total == 5  # the check ends with the block
    finally:
        store.close()
