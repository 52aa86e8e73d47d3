import pytest
from django.core.management import CommandError, call_command

from frontline.accounts.factories import staff
from frontline.accounts.selectors import api_token_get_active


@pytest.mark.django_db
def test_create_api_token_prints_a_working_secret(capsys):
    user = staff()
    call_command("create_api_token", user.username, "--scope", "write")
    secret = capsys.readouterr().out.strip()
    token = api_token_get_active(secret=secret)
    assert token is not None
    assert (token.user, token.scope) == (user, "write")


@pytest.mark.django_db
def test_create_api_token_names_the_bad_field():
    with pytest.raises(CommandError, match="username: no active user 'ghost'"):
        call_command("create_api_token", "ghost")


@pytest.mark.django_db
def test_role_and_team_changes_apply_at_once_in_this_process():
    from frontline.accounts.factories import TeamFactory
    from frontline.accounts.selectors import staff_scope
    from frontline.accounts.services import staff_set_role

    user = staff()
    assert staff_scope(user) == ("agent", frozenset())
    team = TeamFactory()
    user.agent.teams.add(team)
    assert staff_scope(user) == ("agent", frozenset({team.pk}))
    staff_set_role(actor=None, user=user, role="supervisor")
    assert staff_scope(user)[0] == "supervisor"
