"""`hia users deactivate | reactivate | reset-password | set-role | move | list`: the same changes as the
users pages, for any organisation, audited with the operator who ran them; clear refusals for an unknown
email address, organisation or role, for the last administrator and for unfinished assessments."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from hia_service.cli import main
from tests.conftest import TEST_PASSWORD, csrf_token_from
from tests.integration.admin.conftest import (
    api_status,
    audit_entries,
    organisation_id,
    sign_in_client,
    stored_user,
)
from tests.integration.review.conftest import World, create_assessment

SignedIn = Callable[[dict[str, Any]], FlaskClient]
NEW_PASSWORD = "a-new-password-for-the-test"


@pytest.fixture(autouse=True)
def operator(monkeypatch: pytest.MonkeyPatch) -> str:
    """The login name the audit log keeps for whoever runs the command: the terminal's (tests have none)."""
    monkeypatch.setattr(os, "getlogin", lambda: "alice.ops")
    return "alice.ops"


def hia(app: Flask, *args: str, input: str | None = None) -> Any:
    return app.test_cli_runner().invoke(main, ["users", *args], input=input)


def by_command_line(details: dict[str, Any]) -> bool:
    return details.get("via") == "command line" and details.get("operator") == "alice.ops"


# --- deactivate and reactivate -------------------------------------------------------------------------


def test_deactivate_signs_them_out_refuses_sign_in_and_revokes_tokens(
    app: Flask, world: World, signed_in: SignedIn, token_for: Callable[[dict[str, Any]], str]
) -> None:
    manager = world["manager"]
    theirs = signed_in(manager)
    token = token_for(manager)
    result = hia(app, "deactivate", manager["email"].upper())  # as people type it
    assert result.exit_code == 0, result.output
    assert f"Deactivated {manager['email'].upper()}" in result.output
    assert theirs.get("/home").status_code == 302
    assert api_status(app.test_client(), token) == 401
    assert sign_in_client(app, manager["email"])[1].status_code == 401
    ((_, actor, org, details),) = audit_entries(app, manager["id"], "user_deactivated")
    assert actor is None and org == organisation_id(app, "RXA") and by_command_line(details)
    assert details["tokens_revoked"] == 1

    again = hia(app, "deactivate", manager["email"])
    assert again.exit_code == 0 and "was already deactivated" in again.output
    assert len(audit_entries(app, manager["id"], "user_deactivated")) == 1


def test_reactivate_lets_them_sign_in_again(app: Flask, world: World) -> None:
    manager = world["manager"]
    hia(app, "deactivate", manager["email"])
    result = hia(app, "reactivate", manager["email"])
    assert result.exit_code == 0 and "they can sign in again" in result.output
    assert sign_in_client(app, manager["email"])[1].status_code == 302
    ((_, _, _, details),) = audit_entries(app, manager["id"], "user_reactivated")
    assert by_command_line(details)
    assert "is already active" in hia(app, "reactivate", manager["email"]).output


# --- reset-password ------------------------------------------------------------------------------------


def test_reset_password_reads_the_new_one_from_standard_input(
    app: Flask, world: World, signed_in: SignedIn, token_for: Callable[[dict[str, Any]], str]
) -> None:
    manager = world["manager"]
    theirs = signed_in(manager)
    token = token_for(manager)
    result = hia(app, "reset-password", manager["email"], input=NEW_PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert NEW_PASSWORD not in result.output
    assert "their API tokens have been revoked" in result.output
    assert theirs.get("/home").status_code == 302  # signed out everywhere
    assert api_status(app.test_client(), token) == 401  # the old password may have made it
    assert sign_in_client(app, manager["email"], TEST_PASSWORD)[1].status_code == 401
    assert sign_in_client(app, manager["email"], NEW_PASSWORD)[1].status_code == 302
    ((_, actor, _, details),) = audit_entries(app, manager["id"], "user_password_reset")
    assert actor is None and by_command_line(details) and details["password"] == "chosen"
    assert details["tokens_revoked"] == 1
    assert NEW_PASSWORD not in str(details)


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("short\n", "Password must be 12 characters or more"),
        ("\n", "No password given: pipe it on standard input or run in a terminal to be asked"),
    ],
)
def test_reset_password_refuses_a_weak_or_missing_password(
    app: Flask, world: World, given: str, message: str
) -> None:
    manager = world["manager"]
    before = stored_user(app, manager["id"])
    result = hia(app, "reset-password", manager["email"], input=given)
    assert result.exit_code == 1 and message in result.output
    assert stored_user(app, manager["id"]) == before


# --- set-role ------------------------------------------------------------------------------------------


def test_set_role_changes_what_they_may_do(app: Flask, world: World, signed_in: SignedIn) -> None:
    manager = world["manager"]
    theirs = signed_in(manager)
    result = hia(app, "set-role", manager["email"], "Reviewer")
    assert result.exit_code == 0 and "now has the role Governance reviewer" in result.output
    assert theirs.get("/review/").status_code == 200
    ((_, _, _, details),) = audit_entries(app, manager["id"], "user_role_changed")
    assert by_command_line(details) and (details["before"], details["after"]) == ("manager", "reviewer")


def test_set_role_trainee_revokes_their_tokens(
    app: Flask, world: World, token_for: Callable[[dict[str, Any]], str]
) -> None:
    token = token_for(world["manager"])
    assert hia(app, "set-role", world["manager"]["email"], "trainee").exit_code == 0
    assert api_status(app.test_client(), token) == 401


def test_an_unknown_role_lists_the_roles(app: Flask, world: World) -> None:
    result = hia(app, "set-role", world["manager"]["email"], "boss")
    assert result.exit_code == 2
    assert "'boss' is not one of 'manager', 'reviewer', 'trainer', 'admin', 'trainee'" in result.output
    assert stored_user(app, world["manager"]["id"])["role"] == "manager"


# --- the last administrator, and unknown people and places ---------------------------------------------


@pytest.mark.parametrize(
    "args",
    [("deactivate",), ("set-role", "manager"), ("move", "--org", "RXA")],
    ids=["deactivate", "set-role", "move"],
)
def test_an_organisations_last_administrator_stays(app: Flask, world: World, args: tuple[str, ...]) -> None:
    only = world["other_admin"]  # RYB's one administrator
    before = stored_user(app, only["id"])
    result = hia(app, args[0], only["email"], *args[1:])
    assert result.exit_code == 1, result.output
    assert f"{only['name']} is the only administrator of Trust RYB" in result.output
    assert "Make someone else an administrator first" in result.output
    assert stored_user(app, only["id"]) == before
    assert [e for e in audit_entries(app, only["id"]) if e[0].startswith("user_")] == []


def test_with_a_second_administrator_the_first_can_go(app: Flask, world: World) -> None:
    assert hia(app, "set-role", world["other_manager"]["email"], "admin").exit_code == 0
    result = hia(app, "deactivate", world["other_admin"]["email"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    "args",
    [
        ("deactivate",),
        ("reactivate",),
        ("set-role", "manager"),
        ("move", "--org", "RYB"),
    ],
)
def test_an_unknown_email_address_is_named(app: Flask, world: World, args: tuple[str, ...]) -> None:
    result = hia(app, args[0], "nobody@rxa.nhs.uk", *args[1:])
    assert result.exit_code == 1 and "No user has the email address nobody@rxa.nhs.uk" in result.output


def test_reset_password_for_an_unknown_email_address(app: Flask, world: World) -> None:
    result = hia(app, "reset-password", "nobody@rxa.nhs.uk", input=NEW_PASSWORD + "\n")
    assert result.exit_code == 1 and "No user has the email address nobody@rxa.nhs.uk" in result.output


# --- move ----------------------------------------------------------------------------------------------


def test_move_takes_the_person_to_the_new_organisation(
    app: Flask,
    world: World,
    signed_in: SignedIn,
    token_for: Callable[[dict[str, Any]], str],
) -> None:
    from hia_service.data import backup as archived
    from hia_service.services.backup.checks import check_rows

    manager = world["manager"]
    create_assessment(app, manager, "Submitted before the move")  # stays with RXA
    theirs = signed_in(manager)
    token = token_for(manager)

    result = hia(app, "move", manager["email"], "--org", "ryb")
    assert result.exit_code == 0, result.output
    assert f"Moved {manager['email']} from Trust RXA to Trust RYB (RYB) as Manager" in result.output
    assert theirs.get("/home").status_code == 302  # signed out
    assert api_status(app.test_client(), token) == 401  # tokens revoked
    client, answer = sign_in_client(app, manager["email"])  # same address and password
    assert answer.status_code == 302
    assert "Trust RYB" in client.get("/home").get_data(as_text=True)

    old = stored_user(app, manager["id"])
    assert old["organisation"] == "RXA" and old["is_active"] is False
    assert old["email"] == f"moved{manager['id']}:{manager['email']}"
    listing = hia(app, "list", "--org", "RXA").output
    assert "Moved to another organisation" in listing and manager["email"] in listing
    moved_in = [e for e in audit_entries(app, manager["id"]) if e[0] == "user_moved"]
    assert moved_in[0][2] == organisation_id(app, "RXA") and by_command_line(moved_in[0][3])
    new_id = moved_in[0][3]["new_user_id"]
    ((_, _, org, details),) = audit_entries(app, new_id, "user_moved")
    assert org == organisation_id(app, "RYB") and details["from_organisation"] == "RXA"
    assert stored_user(app, new_id)["role"] == "manager"
    # Each organisation's records still name only its own people, so each backs up and restores whole.
    with app.app_context():
        for code in ("RXA", "RYB"):
            records = archived.organisation_rows(organisation_id(app, code))
            for spec in archived.TABLES:
                check_rows(spec, records)


def test_an_administrator_moves_as_a_manager_unless_told_otherwise(app: Flask, world: World) -> None:
    result = hia(app, "move", world["admin2"]["email"], "--org", "RYB")
    assert result.exit_code == 0 and "as Manager" in result.output
    result = hia(app, "move", world["reviewer"]["email"], "--org", "RYB", "--role", "admin")
    assert result.exit_code == 0 and "as Administrator" in result.output


def test_move_refuses_while_they_have_unsubmitted_assessments(app: Flask, world: World) -> None:
    manager = world["manager"]
    create_assessment(app, manager, "Still a draft", submit=False)
    before = stored_user(app, manager["id"])
    result = hia(app, "move", manager["email"], "--org", "RYB")
    assert result.exit_code == 1
    assert "has 1 assessment in Trust RXA that only they can change" in result.output
    assert "Ask them to submit those for review first, then move the account" in result.output
    assert stored_user(app, manager["id"]) == before


@pytest.mark.parametrize(
    ("org", "message"),
    [("ZZZ", "No organisation has the code ZZZ"), ("RXA", "is already in Trust RXA (RXA)")],
)
def test_move_to_an_unknown_or_the_same_organisation(
    app: Flask, world: World, org: str, message: str
) -> None:
    result = hia(app, "move", world["manager"]["email"], "--org", org)
    assert result.exit_code == 1 and message in result.output


def test_a_deactivated_account_is_reactivated_before_it_moves(app: Flask, world: World) -> None:
    hia(app, "deactivate", world["manager"]["email"])
    result = hia(app, "move", world["manager"]["email"], "--org", "RYB")
    assert result.exit_code == 1 and "reactivate it first" in result.output


def test_the_old_organisations_admin_sees_the_moved_account_closed(
    app: Flask, world: World, signed_in: SignedIn
) -> None:
    manager = world["manager"]
    hia(app, "move", manager["email"], "--org", "RYB")
    admin = signed_in(world["admin"])
    page = admin.get(f"/admin/users/{manager['id']}").get_data(as_text=True)
    assert "Moved to another organisation" in page and "Deactivate account" not in page
    assert "Reactivate account" not in page and "Reset password" not in page
    token = csrf_token_from(page)
    refused = admin.post(f"/admin/users/{manager['id']}/reactivate", data={"csrf_token": token})
    assert refused.status_code == 409 and stored_user(app, manager["id"])["is_active"] is False


# --- list ----------------------------------------------------------------------------------------------


def test_list_shows_every_organisation_or_one(app: Flask, world: World) -> None:
    everyone = hia(app, "list")
    assert everyone.exit_code == 0
    assert world["manager"]["email"] in everyone.output and world["other_admin"]["email"] in everyone.output
    one = hia(app, "list", "--org", "ryb")
    assert world["other_admin"]["email"] in one.output and world["manager"]["email"] not in one.output
    assert "Administrator" in one.output and "Active" in one.output


def test_list_for_an_unknown_organisation(app: Flask, world: World) -> None:
    result = hia(app, "list", "--org", "ZZZ")
    assert result.exit_code == 1 and "No organisation has the code ZZZ" in result.output


def test_a_password_piped_in_that_is_not_utf8_is_refused_in_words(monkeypatch: pytest.MonkeyPatch) -> None:
    """Python reads such bytes as lone surrogates, which argon2 cannot take: a message, not a traceback."""
    import io
    import sys

    import click

    from hia_service.cli.accounts import _read_password

    piped = io.TextIOWrapper(io.BytesIO(b"pass\xff\xfeword-long-enough\n"), "utf-8", "surrogateescape")
    monkeypatch.setattr(sys, "stdin", piped)
    with pytest.raises(click.ClickException, match="not valid UTF-8 text"):
        _read_password()
