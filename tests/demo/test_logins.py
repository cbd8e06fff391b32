"""The demo's staff hold the roles README's "Demo logins" table gives them, and no other (least
privilege): the table is read here, so the README and the seed cannot drift apart."""

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User

from egov.demo.dossiers import seed_demo_dossiers
from egov.demo.seed import DEMO_LOGINS, seed_demo
from egov.orgs.models import Membership

README = Path(__file__).resolve().parents[2] / "README.md"
ROLE_AT = re.compile(r"`([a-z_]+)` at `([0-9.]+H\d\d)`")

Roles = frozenset[tuple[str, str]]


def readme_logins() -> dict[str, tuple[Roles, str]]:
    """username → ({(role, agency code)}, who) from the table under "Demo logins"."""
    text = README.read_text(encoding="utf-8")
    lines = text[text.index("Demo logins") :].splitlines()
    start = next(n for n, line in enumerate(lines) if line.startswith("| username"))
    logins: dict[str, tuple[Roles, str]] = {}
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        usernames, roles, who = (cell.strip() for cell in line.strip("|").split(" | "))
        held = frozenset(ROLE_AT.findall(roles))
        assert held, line
        for username in re.findall(r"`([^`]+)`", usernames):
            assert username not in logins, username
            logins[username] = (held, who)
    return logins


def roles_of(user: User) -> Roles:
    return frozenset(
        Membership.objects.filter(user=user, active=True).values_list("role", "agency__code")
    )


def test_the_seed_gives_each_demo_login_the_roles_of_the_readme():
    table = readme_logins()
    for login in DEMO_LOGINS:
        seeded = frozenset((role, login.agency_code) for role in login.roles)
        assert seeded == table[login.username][0], login.username


@pytest.mark.django_db
def test_the_demo_staff_hold_the_readme_roles_and_no_other(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # the scanned papers the desks attach
    seed_demo()
    # The month gives the desks their officers, and its steps to whoever holds the role.
    seed_demo_dossiers(count=20)
    table = readme_logins()
    users = {user.username: user for user in User.objects.filter(memberships__isnull=False)}
    for username, (roles, who) in table.items():
        user = users[username]
        assert roles_of(user) == roles, username
        assert not user.is_superuser, username
        # The admin site for those the README says use it (administrators, auditors).
        assert user.is_staff == ("admin site" in who), username
    # Everyone else the demo made (other communes' and provincial bodies' officers): one role.
    others = [user for name, user in users.items() if name not in table]
    assert len(others) >= 20
    for user in others:
        assert len(roles_of(user)) == 1 and not user.is_superuser, user.username
