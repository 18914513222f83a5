"""The one HTTP seam: retries on 429 and 5xx honouring Retry-After, timeouts, honest errors."""
from __future__ import annotations

import gzip

import pytest

from indicators.connectors.http import HttpClient, RetryPolicy, SourceError
from tests.replay import TOKEN, Fault, ReplayServer

FAST = RetryPolicy(attempts=3, backoff=0.01, max_wait=5, timeout=0.1)


def client(server: ReplayServer, waits: list[float]) -> HttpClient:
    return HttpClient("jobindsats", server.jobindsats_url, headers={"Authorization": f"Bearer {TOKEN}"},
                      policy=FAST, sleep=waits.append)


def test_a_5xx_is_retried_with_growing_backoff_and_then_succeeds():
    waits: list[float] = []
    with ReplayServer(faults=[Fault("table/y25i01", status=503, times=2)]) as server:
        body = client(server, waits).get_json("table/y25i01", table="y25i01")
    assert body["table_id"] == "y25i01"
    assert waits == [0.01, 0.02]


def test_a_429_waits_as_long_as_retry_after_says():
    waits: list[float] = []
    with ReplayServer(faults=[Fault("table/y25i01", status=429, headers={"Retry-After": "3"}, times=1)]) as server:
        client(server, waits).get_json("table/y25i01", table="y25i01")
    assert waits == [3.0]


def test_a_retry_after_longer_than_the_cap_is_cut_to_the_cap():
    waits: list[float] = []
    with ReplayServer(faults=[Fault("table/", status=429, headers={"Retry-After": "3600"}, times=1)]) as server:
        client(server, waits).get_json("table/y25i01", table="y25i01")
    assert waits == [5]


def test_a_5xx_that_persists_is_a_temporary_error_that_says_to_try_later():
    waits: list[float] = []
    with ReplayServer(faults=[Fault("table/", status=502)]) as server:
        with pytest.raises(SourceError) as raised:
            client(server, waits).get_json("table/y25i01", table="y25i01")
    assert not raised.value.permanent and len(waits) == 2
    assert "jobindsats, tabel y25i01: HTTP 502 efter 3 forsøg" in str(raised.value)
    assert "igen senere" in str(raised.value)


def test_a_timeout_is_retried_and_then_reported():
    waits: list[float] = []
    with ReplayServer(faults=[Fault("table/", delay=0.4)]) as server:
        with pytest.raises(SourceError) as raised:
            client(server, waits).get_json("table/y25i01", table="y25i01")
    assert "intet svar inden for 0.1 sek. efter 3 forsøg" in str(raised.value)


def test_a_4xx_is_permanent_and_not_retried():
    waits: list[float] = []
    with ReplayServer(token="another") as server:
        with pytest.raises(SourceError) as raised:
            client(server, waits).get_json("table/y25i01", table="y25i01")
    assert raised.value.permanent and raised.value.status == 401 and waits == []


def test_a_connection_dropped_mid_body_is_retried():
    waits: list[float] = []
    with ReplayServer(faults=[Fault("table/", drop=True, times=1)]) as server:
        body = client(server, waits).get_json("table/y25i01", table="y25i01")
    assert body["table_id"] == "y25i01" and len(waits) == 1


def test_a_body_cut_off_is_not_json_and_says_so():
    with ReplayServer(faults=[Fault("table/", truncate=True)]) as server:
        with pytest.raises(SourceError) as raised:
            client(server, []).get_json("table/y25i01", table="y25i01")
    assert "ikke gyldig JSON" in str(raised.value) and not raised.value.permanent


HUGE = {
    "a body past the limit": Fault("table/", status=200, body=b"[" + b"1," * 1_000_000 + b"1]"),
    "a small gzip body that unpacks past the limit": Fault(
        "table/", status=200, body=gzip.compress(b" " * 5_000_000), headers={"Content-Encoding": "gzip"}),
}


@pytest.mark.parametrize("name", list(HUGE))
def test_an_answer_larger_than_any_answer_is_not_read_on_and_says_what_to_check(name):
    waits: list[float] = []
    policy = RetryPolicy(attempts=3, backoff=0.01, timeout=5, max_bytes=1_000_000)
    with ReplayServer(faults=[HUGE[name]]) as server:
        http = HttpClient("jobindsats", server.jobindsats_url, headers={"Authorization": f"Bearer {TOKEN}"},
                          policy=policy, sleep=waits.append, url_setting="JOBINDSATS_API_URL")
        with pytest.raises(SourceError) as raised:
            http.get_json("table/y25i01", table="y25i01")
    assert str(raised.value) == (
        "jobindsats, tabel y25i01: svaret er over 1 MB, langt mere end noget svar fra kilden; intet er gemt, og "
        f"læsningen er stoppet. Tjek, at {server.jobindsats_url} (JOBINDSATS_API_URL) er selve API'et og ikke en "
        "proxy eller en filserver.")
    assert raised.value.permanent and waits == []  # asking again would read it all again

