"""Seed the load-test database: N managers in the demo organisation, each with a few assessments already
answered and a personal API token, and a pool of real LSOA codes (from the loaded reference data) for the
load to choose areas from.

Run by run_load.py in a subprocess whose environment names the throwaway database:
    python benchmarks/load/seed.py USERS ASSESSMENTS_EACH OUT.json
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

PASSWORD = "load-test-password-2026"
ANSWERS = {
    "proposal.kind": "service_change",
    "proposal.summary": "Move the clinic to the health centre on the high street",
    "proposal.outcomes": "Shorter journeys for most patients",
    "proposal.decision_forum": "Board",
    "proposal.lead": "Sam Lead",
    "proposal.directorate": "Community",
}


def main(users: int, each: int, out: Path) -> None:
    from hia_service import create_app
    from hia_service.data.accounts import get_user_by_email
    from hia_service.data.transaction import commit
    from hia_service.services.accounts.demo import DEMO_ORG_CODE, seed_demo
    from hia_service.services.accounts.people import create_user
    from hia_service.services.accounts.tokens import create_token
    from hia_service.services.areas.engine import engine
    from hia_service.services.assessments import authoring as assessments

    app = create_app()
    with app.app_context():
        seed_demo()
        commit()
        emails, tokens = [], []
        for number in range(users):
            email = f"load.{number:03d}@demo.hia.nhs.example"
            user = get_user_by_email(email) or create_user(
                email, f"Load user {number}", "manager", DEMO_ORG_CODE, PASSWORD
            )
            for n in range(each):
                assessment = assessments.start_assessment(user, f"Load test assessment {number}-{n}")
                assessments.save_page(user, assessment.id, list(ANSWERS), ANSWERS, None)
            tokens.append(create_token(user, "Load test")[1])
            commit()
            emails.append(email)
        codes = engine().release().codes.tolist()
        pool = sorted(random.Random(2026).sample([c for c in codes if c.startswith("E01")], 2000))
    out.write_text(json.dumps({"users": emails, "tokens": tokens, "password": PASSWORD, "lsoas": pool}))


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3]))
