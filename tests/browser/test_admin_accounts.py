"""An administrator manages a colleague's account in a real browser: deactivate (asked first), reactivate,
reset the password, change the role; and adds a person, who then signs in with the password shown. Each page
passes the accessibility check. The colleague and the person added are made for the test, so the demo
accounts other browser tests sign in as are never changed."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, axe_check, screenshot, sign_in_as


def _colleague(live_server: LiveServer) -> str:
    from hia_service.data.transaction import commit
    from hia_service.services.accounts.demo import DEMO_ORG_CODE, DEMO_PASSWORD
    from hia_service.services.accounts.people import create_user

    name = f"Sam Leaver {uuid.uuid4().hex[:6]}"
    with live_server.app.app_context():
        email = f"{name.split()[-1]}@demo.hia.nhs.example"
        create_user(email, name, "manager", DEMO_ORG_CODE, DEMO_PASSWORD)
        commit()
    return name


def test_an_administrator_deactivates_reactivates_and_resets_an_account(
    page: Page, live_server: LiveServer
) -> None:
    name = _colleague(live_server)
    sign_in_as(page, "admin")
    page.get_by_role("navigation").get_by_role("link", name="Users").click()
    page.get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    axe_check(page)
    screenshot(page, "admin-user")

    page.get_by_role("button", name="Deactivate account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Are you sure you want to deactivate {name}'s account?"
    )
    axe_check(page)
    screenshot(page, "admin-user-deactivate")
    page.get_by_role("button", name="Yes, deactivate account").click()
    expect(page.get_by_role("status")).to_contain_text(f"{name}'s account has been deactivated")
    expect(page.locator(".nhsuk-summary-list")).to_contain_text("Deactivated")
    axe_check(page)

    page.get_by_role("button", name="Reactivate account").click()
    expect(page.get_by_role("status")).to_contain_text(f"{name}'s account has been reactivated")

    page.get_by_role("button", name="Reset password").click()
    axe_check(page)
    page.get_by_role("button", name="Yes, reset password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Password reset")
    expect(page.locator("#new-password")).to_have_text(re.compile(r"^([A-Za-z0-9]{5}-){3}[A-Za-z0-9]{5}$"))
    axe_check(page)
    screenshot(page, "admin-user-password-reset")

    page.get_by_role("button", name=f"Back to {name}").click()
    page.get_by_role("link", name="Change role").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"What role should {name} have?")
    axe_check(page)
    page.get_by_label("Governance reviewer").check()
    page.get_by_role("button", name="Save role").click()
    expect(page.get_by_role("status")).to_contain_text(
        f"{name}'s role has been changed to governance reviewer"
    )
    expect(page.locator(".nhsuk-summary-list")).to_contain_text("Governance reviewer")


def test_an_administrators_own_account_cannot_be_changed_from_its_page(page: Page) -> None:
    sign_in_as(page, "admin")
    page.get_by_role("navigation").get_by_role("link", name="Users").click()
    page.get_by_role("link", name="Demo administrator").click()
    expect(page.get_by_text("This is your own account.")).to_be_visible()
    expect(page.get_by_role("button", name="Deactivate account")).to_have_count(0)
    axe_check(page)


def test_an_administrator_adds_a_person_who_signs_in_with_the_password_shown(
    page: Page, live_server: LiveServer
) -> None:
    suffix = uuid.uuid4().hex[:6]
    name, email = f"Nia Newcomer {suffix}", f"nia.{suffix}@demo.hia.nhs.example"
    sign_in_as(page, "admin")
    page.get_by_role("navigation").get_by_role("link", name="Users").click()
    page.get_by_role("button", name="Add a user").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a user")
    axe_check(page)

    page.get_by_label("Email address").fill("nia@")  # a mistake: refused, what was typed kept
    page.get_by_label("Full name").fill(name)
    page.get_by_role("button", name="Add user").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Select a role")
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter an email address in the correct")
    expect(page.get_by_label("Full name")).to_have_value(name)
    axe_check(page)
    screenshot(page, "admin-add-user-errors")

    page.get_by_label("Email address").fill(email)
    page.get_by_label("Manager", exact=True).check()
    page.get_by_role("button", name="Add user").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("User added")
    password = page.locator("#new-password")
    expect(password).to_have_text(re.compile(r"^([A-Za-z0-9]{5}-){3}[A-Za-z0-9]{5}$"))
    axe_check(page)
    screenshot(page, "admin-user-added")
    shown = password.inner_text()

    page.context.clear_cookies()
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(shown)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/account/password")  # a password the administrator has seen is theirs to replace
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    axe_check(page)
    screenshot(page, "own-password-choose")
    page.get_by_label("Password you were given").fill(shown)
    page.get_by_label("New password", exact=True).fill("a password of their own")
    page.get_by_label("Confirm new password").fill("a password of their own")
    page.get_by_role("button", name="Change password").click()
    page.wait_for_url("**/home")
    expect(page.get_by_role("status")).to_contain_text("Your password has been changed")
