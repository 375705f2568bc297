"""A child object (attachment, rectification, informant, measure, duty shift, link) is fetched
through its own access rule — the path to its parent — never fetched first and its parent
checked after (issue #12). Another station's id is then a plain 404 that costs exactly the
queries of an id that does not exist: nothing tells the two apart."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casebook.accounts.roles import Role
from tests.test_url_walk import _client, world  # noqa: F401 - the walk's world of station B

MISSING = 987654

#: route → (method, keyword of the child object's id, the world's object, other keywords)
CHILDREN = {
    "intel:attachment": ("get", "pk", "attachment_b", {}),
    "intel:rectification_close": ("post", "pk", "rectification_b", {}),
    "intel:informant_reveal": ("get", "pk", "informant_b", {}),
    "analysis:measure_task": ("post", "pk", "measure_b", {}),
    "reports:duty_remove": ("post", "pk", "shift_b", {}),
}


def _call(client, name, method, key, pk, extra):
    url = reverse(name, kwargs={key: pk, **extra})
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(url, {"note": "x", "reason": "x"})
    return response.status_code, len(queries)


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.STATION_LEADER, Role.TRACKING_OFFICER])
def test_another_stations_child_is_a_plain_404(world, make_user, org, role):  # noqa: F811
    client = _client(make_user(role, org["a"]))
    client.get("/")  # session and caches warm
    problems = []
    for name, (method, key, obj, extra) in CHILDREN.items():
        status, n = _call(client, name, method, key, world[obj].pk, extra)
        missing_status, missing_n = _call(client, name, method, key, MISSING, extra)
        if status != 404 or missing_status != 404:
            problems.append(f"{name}: {status} / missing {missing_status}")
        elif n != missing_n:
            problems.append(f"{name}: {n} queries for B's object, {missing_n} for none")
    # a link of station B's subject, by id, behind a subject the user does see
    link = world["link_b"]
    status = client.post(
        reverse("subjects:link_delete", kwargs={"pk": link.source_subject_id, "link_pk": link.pk}),
        {"reason": "x"},
    ).status_code
    if status != 404:
        problems.append(f"subjects:link_delete: {status}")
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_station_bs_own_leader_still_reaches_them(world, org):  # noqa: F811
    """The same routes work for whom they are meant (the 404 above is not a broken route)."""
    leader_b = world["leader_b"]
    client = _client(leader_b)
    assert (
        client.get(reverse("intel:attachment", kwargs={"pk": world["attachment_b"].pk})).status_code
        == 200
    )
    shift = world["shift_b"]
    response = client.post(reverse("reports:duty_remove", kwargs={"pk": shift.pk}))
    assert response.status_code == 302
    assert not type(shift).objects.filter(pk=shift.pk).exists()
