"""One safe-redirect rule for every user-supplied target (next=, referer, notification URLs)."""

import pytest
from django.test import RequestFactory

from casebook.accounts.roles import Role
from casebook.core.redirects import safe_target


@pytest.mark.parametrize(
    "target",
    ["/\\evil.example", "//evil.example", "https://evil.example/", "javascript:alert(1)", ""],
)
def test_off_site_targets_fall_back(target):
    request = RequestFactory().get("/")
    assert safe_target(request, target, "/home/") == "/home/"


@pytest.mark.parametrize("target", ["/tasks/", "/subjects/?q=%E5%BC%A0"])
def test_on_site_targets_are_kept(target):
    request = RequestFactory().get("/")
    assert safe_target(request, target, "/home/") == target


@pytest.mark.django_db
def test_marking_notifications_read_never_redirects_off_site(client_for):
    client, _user = client_for(Role.TRACKING_OFFICER)
    response = client.post("/tasks/notifications/read/", {"next": "/\\evil.example"})
    assert response.status_code == 302
    assert "evil" not in response["Location"]
    response = client.post("/tasks/notifications/read/", {"next": "/subjects/"})
    assert response["Location"] == "/subjects/"
