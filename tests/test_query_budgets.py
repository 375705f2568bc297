"""Query-count budgets on the main pages, context processors included.

Each page is measured with a station of N subjects (with tasks, records, notifications and urgent
reports) and again after the station has grown to 3N: the number of queries must not grow with
the data (an N+1 shows up as growth), and stays under an absolute ceiling per page.

The ceilings are today's counts plus a small margin; lower them when a page gets cheaper. When a
change makes a page exceed its budget, look at the queries printed by the failure before raising
the ceiling.
"""

import os
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from casebook.accounts.roles import Role
from casebook.reports.services import urgent_report_create
from casebook.testing.factories import (
    IncidentFactory,
    PersonFactory,
    PlaceFactory,
    RecordFactory,
    TaskFactory,
    UserFactory,
)
from conftest import login

#: N: subjects, tasks, records, urgent reports, officers added per step (the second adds 2N).
SUBJECTS, TASKS, RECORDS, URGENT, OFFICERS = 10, 4, 15, 2, 2


@dataclass
class Station:
    org: dict
    crew: dict
    subjects: list
    tasks: list

    def grow(self, times: int = 1) -> None:
        """Add ``times`` × N rows of everything, written through the services."""
        leader, officer, colleague = (self.crew[k] for k in ("leader", "officer", "colleague"))
        for _ in range(times):
            new = []
            for i in range(SUBJECTS):
                factory = (PersonFactory, PersonFactory, PlaceFactory, IncidentFactory)[i % 4]
                new.append(factory(actor=leader, officers=[officer, colleague]))
            self.subjects.extend(new)
            for i in range(TASKS):
                self.tasks.append(
                    TaskFactory(
                        actor=leader,
                        subjects=new[i : i + 2],
                        lead=officer,
                        team=[colleague],
                    )
                )
            for i in range(RECORDS):
                RecordFactory(actor=officer, subjects=[new[i % len(new)]])
            for i in range(URGENT):
                urgent_report_create(actor=officer, text=f"对象异常{i}", subject=new[i])
            for _ in range(OFFICERS):  # the station's strength grows too (lists of officers)
                UserFactory(role=Role.TRACKING_OFFICER, unit=self.org["a"])


@pytest.fixture
def station(org, crew):
    station = Station(org, crew, [], [])
    station.grow()
    return station


def count_queries(client: Client, url: str, **headers) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **headers)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]


def url_of(name: str, station: Station) -> str:
    return name.format(subject=station.subjects[0].pk, task=station.tasks[0].pk)


# (test id, crew member, url, ceiling at 3N). Measured at the time of writing (SQLite, 2026-12-02,
# since the session is saved only when it changes and the dashboard's tiles are one aggregate):
# home officer 19, leader 17, analyst 15, admin 13; subject list 21; dossier 36; station dashboard
# 25 (with the live monitoring alerts tile: one aggregate); task board 25 (its column counts: one
# aggregate); task list 22; records 19; badge poll 5 (6 with a second factor: the TOTP device).
PAGES = [
    ("home officer", "officer", "/", 23),
    ("home leader", "leader", "/", 21),
    ("home analyst", "analyst", "/", 19),
    ("home admin", "admin", "/", 17),
    ("subject list", "leader", "/subjects/", 24),
    ("dossier overview", "leader", "/subjects/{subject}/", 39),
    ("station dashboard", "leader", "/analysis/dashboard/", 28),
    ("task board", "leader", "/tasks/board/", 28),
    ("task list", "officer", "/tasks/", 25),
    ("records list", "leader", "/records/", 22),
    # polled every 30 s on every open page: session, user, roles, the count (no session save)
    ("badge poll officer", "officer", "/tasks/notifications/count/", 5),
    ("badge poll leader", "leader", "/tasks/notifications/count/", 6),
    ("badge poll admin", "admin", "/tasks/notifications/count/", 6),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("member", "url", "ceiling"), [p[1:] for p in PAGES], ids=[p[0] for p in PAGES]
)
def test_queries_do_not_grow_with_the_data(
    station, member, url, ceiling, django_assert_max_num_queries
):
    client = login(Client(), station.crew[member])
    if url.startswith("/subjects/{"):  # a dossier needs a purpose once per session
        client.post(url_of("/subjects/{subject}/consult/", station), {"purpose": "走访前核实"})
    count_queries(client, url_of(url, station))  # warm per-session caches (as in real use)
    small, _ = count_queries(client, url_of(url, station))
    station.grow(times=2)
    large, queries = count_queries(client, url_of(url, station))
    print(f"{url}: {small} queries at N, {large} at 3N")
    if os.environ.get("CASEBOOK_SHOW_QUERIES"):  # pytest -s: what the page asks for
        print("\n".join(queries))
    assert large <= small, "\n".join([f"{small} → {large} queries: grows with the data", *queries])
    with django_assert_max_num_queries(ceiling):
        client.get(url_of(url, station))
