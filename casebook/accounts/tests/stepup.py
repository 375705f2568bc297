"""Test helpers for step-up re-authentication (SECURITY.md S6): a login an hour old whose
session was kept alive, and the answer to the password prompt."""

from datetime import timedelta

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import PASSWORD

REAUTH = "/accounts/reauth/"


def age_login(client, clock, minutes: int = 60) -> None:
    """Move the frozen ``clock`` on by ``minutes``, with a request every 20 minutes so that the
    session stays within its idle timeout: the session is alive, its authentication is old."""
    while minutes > 0:
        step = min(minutes, 20)
        clock.shift(timedelta(minutes=step))
        assert client.get("/accounts/profile/").status_code == 200
        minutes -= step


def current_code(user) -> str:
    """The TOTP code of the user's device, if the test login gave them one."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        return ""
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"


def confirm(client, user, prompt: str):
    """Answer the password prompt at ``prompt`` (the Location of the step-up redirect)."""
    assert prompt.startswith(REAUTH)
    return client.post(prompt, {"password": PASSWORD, "token": current_code(user)})
