"""One name for a person everywhere: full name, else username (goals.users.user_label)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.template import Context, Template

from goals.users import SOMEONE_ELSE, SYSTEM, user_label
from tests.conftest import make_user


def test_full_name_else_username_else_what_the_place_says():
    User = get_user_model()
    assert user_label(User(username="kbe", first_name="Karin", last_name="Berg")) == "Karin Berg"
    assert user_label(User(username="kbe")) == "kbe"
    assert user_label(None) == SOMEONE_ELSE == "En annan användare"
    assert user_label(None, missing=SYSTEM) == "System"


def test_templates_use_the_same_rule():
    User = get_user_model()
    template = Template("{% load user_labels %}[{{ named|user_label }}|{{ plain|user_label }}]")
    context = Context(
        {
            "named": User(username="kbe", first_name="Karin", last_name="Berg"),
            "plain": User(username="x"),
        }
    )
    assert template.render(context) == "[Karin Berg|x]"


@pytest.mark.django_db
def test_the_page_header_names_the_logged_in_user(client, board_an):
    user = make_user("kbe", None, None, first_name="Karin", last_name="<b>Berg</b>")
    client.force_login(user)
    html = client.get("/").content.decode()
    assert '<span class="user">Karin &lt;b&gt;Berg&lt;/b&gt;</span>' in html
