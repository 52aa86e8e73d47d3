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
