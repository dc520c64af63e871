"""Locust users for `make bench`'s load test (run by run_load.py, not on its own).

Each simulated person signs in as their own seeded manager, starts an assessment and then, with 1-3 seconds
between actions: browses the wizard (task list, a step page, check answers, their list), saves answers on a
step page, chooses an area and looks at its deprivation profile, or uses the API with their personal token
as a reporting tool or another system would (lists their assessments, reads one, saves answers, profiles an
area). Every request is recorded with its category ("page", "save", "profile", "api", "setup") so
run_load.py can report exact percentiles per category.
"""

from __future__ import annotations

import html
import json
import os
import random
import re
import time
from typing import Any

from locust import FastHttpUser, between, events, task

SEED = json.loads(open(os.environ["HIA_LOAD_SEED"]).read())  # noqa: SIM115 - read once at import
SAMPLES: list[tuple[str, str, float, bool, float]] = []  # category, name, ms, ok, finished at
CSRF_RE = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')
CSRF_VALUE_FIRST_RE = re.compile(r'value="([^"]+)"[^>]*name="csrf_token"')
LOCK_RE = re.compile(r'name="lock_version" value="(\d+)"')
PROPOSAL = {
    "proposal.title": "Move the phlebotomy clinic",
    "proposal.kind": "service_change",
    "proposal.changes_access": "yes",
    "proposal.scope": "local",
    "proposal.outcomes": "Shorter journeys for most patients",
    "proposal.decision_forum": "Board",
    "proposal.decision_date-day": "1",
    "proposal.decision_date-month": "6",
    "proposal.decision_date-year": "2027",
    "proposal.lead": "Sam Lead",
    "proposal.directorate": "Community",
}
_next_user = iter(range(len(SEED["users"])))


@events.request.add_listener
def _record(request_type: str, name: str, response_time: float, exception: Any, **kwargs: Any) -> None:
    category = name.split(":", 1)[0]
    SAMPLES.append((category, name, response_time, exception is None, time.time()))


@events.quitting.add_listener
def _dump(environment: Any, **kwargs: Any) -> None:
    errors = [
        f"{error.method} {error.name}: {error.error} ({error.occurrences}x)"
        for error in environment.stats.errors.values()
    ]
    with open(os.environ["HIA_LOAD_SAMPLES"], "w") as out:
        json.dump({"samples": SAMPLES, "errors": errors}, out)


class Manager(FastHttpUser):
    wait_time = between(1, 3)

    def on_start(self) -> None:
        number = next(_next_user)
        self.email = SEED["users"][number % len(SEED["users"])]
        self.token = SEED["tokens"][number % len(SEED["tokens"])]
        # Each person comes from their own address, as behind the load balancer (HIA_TRUSTED_PROXIES=1):
        # the sign-in limit is per address, and 50 people are not one client.
        self.headers = {"X-Forwarded-For": f"10.20.{number // 250}.{number % 250 + 1}"}
        self.post_form("/sign-in", "/sign-in", {"email": self.email, "password": SEED["password"]}, "setup")
        location = self.post_form("/assessments/new", "/assessments/new", {"title": "Load test"}, "setup")
        self.assessment = "/assessments/" + re.search(r"/assessments/(\d+)", location)[1]
        self.choose_area("setup")  # the first profile in each gunicorn worker also loads the reference data

    # --- what people do ----------------------------------------------------------------------------------

    @task(5)
    def browse(self) -> None:
        path, label = random.choice(
            [
                (self.assessment, "task list"),
                (f"{self.assessment}/proposal", "step page"),
                (f"{self.assessment}/check-answers", "check answers"),
                ("/assessments/", "my assessments"),
            ]
        )
        self.get(path, f"page:{label}")

    @task(3)
    def save_answers(self) -> None:
        answers = {**PROPOSAL, "proposal.summary": f"Move the clinic (draft {random.randint(1, 10**6)})"}
        self.post_form(f"{self.assessment}/proposal", f"{self.assessment}/proposal", answers, "save")

    @task(2)
    def look_at_profile(self) -> None:
        if random.random() < 0.5:
            self.choose_area()
        self.get(
            f"{self.assessment}/area", "profile:area page with profile", must_contain='id="core20-headline"'
        )

    @task(2)
    def use_api(self) -> None:
        assessment_id = self.assessment.rsplit("/", 1)[-1]
        choice = random.random()
        if choice < 0.25:
            self.api("GET", "/api/v1/assessments?page_size=20", "api:list assessments")
        elif choice < 0.5:
            self.api("GET", f"/api/v1/assessments/{assessment_id}", "api:read assessment")
        elif choice < 0.75:
            current = self.api("GET", f"/api/v1/assessments/{assessment_id}", "api:read assessment")
            body = {
                "answers": {"proposal.summary": f"Saved through the API ({random.randint(1, 10**6)})"},
                "lock_version": current.get("lock_version", 0),
            }
            self.api("PUT", f"/api/v1/assessments/{assessment_id}/answers/proposal", "api:save answers", body)
        else:
            codes = random.sample(SEED["lsoas"], random.randint(3, 40))
            body = {"area": {"type": "lsoa_codes", "codes": codes}}
            self.api("POST", "/api/v1/area-profiles", "api:area profile", body)

    # --- plumbing ----------------------------------------------------------------------------------------

    def api(self, method: str, path: str, name: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        headers = {**self.headers, "Authorization": f"Bearer {self.token}"}
        with self.client.request(
            method, path, name=name, headers=headers, json=body, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(
                    f"{method} {path} answered {response.status_code}: {(response.text or '')[:300]}"
                )
                return {}
            answer = response.json()
            return answer if isinstance(answer, dict) else {}

    def choose_area(self, category: str = "profile") -> None:
        codes = random.sample(SEED["lsoas"], random.randint(3, 40))
        form = {"method": "lsoa_codes", "lsoa_codes": "\n".join(codes)}
        self.post_form(f"{self.assessment}/area", f"{self.assessment}/area", form, category, "choose area")

    def get(self, path: str, name: str, must_contain: str | None = None) -> str:
        with self.client.get(path, name=name, headers=self.headers, catch_response=True) as response:
            body = response.text or ""
            if response.status_code != 200:
                response.failure(f"{path} answered {response.status_code}")
            elif must_contain and must_contain not in body:
                response.failure(f"{path} lacks {must_contain}")
            return body

    def post_form(
        self, form_path: str, path: str, form: dict[str, str], category: str, label: str = ""
    ) -> str:
        """GET the form (a page view) for its CSRF token and lock version, then POST it, expecting 302."""
        page = self.get(form_path, f"page:{label or 'form'}" if category != "setup" else "setup:form")
        token = CSRF_RE.search(page) or CSRF_VALUE_FIRST_RE.search(page)
        fields = {"csrf_token": html.unescape(token[1])} if token else {}
        lock = LOCK_RE.search(page)
        if lock:
            fields["lock_version"] = lock[1]
        name = f"{category}:{label or form_path.rsplit('/', 1)[-1]}"
        with self.client.post(
            path,
            data={**fields, **form},
            name=name,
            headers=self.headers,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                problem = re.search(r'nhsuk-error-summary__list">(.{0,300})', response.text or "", re.S)
                response.failure(
                    f"POST {path} answered {response.status_code} {problem[1] if problem else ''}"
                )
                return ""
            return response.headers.get("Location", "")
