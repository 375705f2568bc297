"""300 officers at once over the bench bureau (issue #13 item 4): ``bench/load/run.sh`` starts
gunicorn with the production configuration and runs this file headless against it.

Every simulated officer logs in for real (police number and password through the login form:
password hashing, axes, session, audit event), then works like an officer of a station: mostly
lists and dossiers, some searches, the dashboard and the task board, and now and then records
what they saw (a POST that encrypts, tokenises, writes the record and its audit events).

The accounts are those the generator made (ten per station; the station leaders, who need a
second factor, are left out), password :data:`benchdb.BENCH_PASSWORD`. The demo accounts are
refused by a production server, as they should be. Only 127.0.0.1 is ever addressed.
"""

import http.cookiejar
import itertools
import os
import random
import re
import sys
from pathlib import Path
from urllib.parse import urlparse

from locust import HttpUser, between, events, task

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchdb import BENCH_PASSWORD  # noqa: E402
from generate import COMMON_WORD, RARE_NAME  # noqa: E402

ACCOUNTS = [
    line.strip()
    for line in Path(os.environ["CASEBOOK_LOAD_ACCOUNTS"]).read_text().splitlines()
    if line.strip()
]
_next_account = itertools.cycle(ACCOUNTS)
SUBJECT = re.compile(r'href="/subjects/(\d+)/"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
WORDS = [COMMON_WORD, RARE_NAME, "网吧", "火车站", "出租屋", "凌晨", "电动车", "潜水艇"]


@events.init.add_listener
def only_localhost(environment, **kwargs):
    host = urlparse(environment.host or "").hostname
    if host not in ("127.0.0.1", "localhost"):
        raise SystemExit(f"the load test only runs against 127.0.0.1, not {host!r}")


class LocalTLSPolicy(http.cookiejar.DefaultCookiePolicy):
    """Send the session's Secure cookies over plain HTTP to 127.0.0.1: gunicorn stands here
    for what sits behind the TLS-terminating nginx (it is told so by X-Forwarded-Proto)."""

    def return_ok_secure(self, cookie, request):
        return True


class Officer(HttpUser):
    wait_time = between(1, 5)

    def on_start(self):
        self.client.cookies.set_policy(LocalTLSPolicy())
        self.client.headers["X-Forwarded-Proto"] = "https"
        self.username = next(_next_account)
        page = self.client.get("/accounts/login/", name="login form")
        token = CSRF.search(page.text)
        response = self.client.post(
            "/accounts/login/",
            data={
                "username": self.username,
                "password": BENCH_PASSWORD,
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            headers={"Referer": f"https://{urlparse(self.host).netloc}/accounts/login/"},
            name="login",
            allow_redirects=False,
        )
        if response.status_code != 302:
            response.failure(f"login of {self.username}: {response.status_code}")
        listing = self.client.get("/subjects/", name="subject list")
        self.subjects = SUBJECT.findall(listing.text)[:25] or []

    def _referer(self, path):
        return {"Referer": f"https://{urlparse(self.host).netloc}{path}"}

    @task(6)
    def subject_list(self):
        page = random.randint(1, 5)
        self.client.get(f"/subjects/?kind=person&status=active&page={page}", name="subject list")

    @task(5)
    def dossier(self):
        if self.subjects:
            pk = random.choice(self.subjects)
            tab = random.choice(["", "?tab=associations", "?tab=records"])
            self.client.get(f"/subjects/{pk}/{tab}", name="dossier")

    @task(4)
    def records(self):
        self.client.get("/records/", name="records list")

    @task(3)
    def search(self):
        self.client.get("/records/", params={"q": random.choice(WORDS)}, name="records search")

    @task(2)
    def dashboard(self):
        self.client.get("/analysis/dashboard/", name="dashboard")

    @task(2)
    def task_board(self):
        self.client.get("/tasks/", name="task list")

    @task(2)
    def home(self):
        self.client.get("/", name="home")

    @task(1)
    def record_create(self):
        form = self.client.get("/records/new/", name="record form")
        token = CSRF.search(form.text)
        if not (token and self.subjects):
            return
        with self.client.post(
            "/records/new/",
            data={
                "csrfmiddlewaretoken": token.group(1),
                "subjects": random.choice(self.subjects),
                "method": "field_visit",
                "channel": "community_police",
                "occurred_at": "2026-12-01T10:30",
                "content": f"今日走访，其本人在{random.choice(['网吧', '出租屋', '工地'])}，"
                "情绪稳定，表示按时报到。",
                "source_evaluation": "B",
                "info_assessment": "2",
                "handling": "P",
            },
            headers=self._referer("/records/new/"),
            name="record create",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"record not created: {response.status_code}")
