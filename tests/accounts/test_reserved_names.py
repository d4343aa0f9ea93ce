"""Staff display names are reserved: nobody else takes a name that reads the same (case,
width, invisible characters, spacing and look-alike letters from other scripts ignored)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    "name",
    [
        "Rosa Moderator",
        "rosa moderator",
        "ROSA  MODERATOR",
        "Rosa\u200bModerator",  # zero-width space instead of the space
        "R\u043es\u0430 M\u043ed\u0435r\u0430t\u043er",  # Cyrillic o, a and e
        "\uff32\uff4f\uff53\uff41 \uff2d\uff4f\uff44\uff45\uff52\uff41\uff54\uff4f\uff52",
        "R0sa M0derat0r",  # zeros for o
        "Rosa Moderator\u0301",  # a combining accent
    ],
)
def test_a_staff_display_name_cannot_be_taken(client, factory, name):
    factory.user("moderator", display_name="Rosa Moderator")
    response = client.post(
        "/account/register",
        data={"email": "copy@example.com", "display_name": name, "password": "x" * 16},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="display_name-error"' in page and "reserved" in page


@pytest.mark.parametrize("role", ["agent_t1", "admin"])
def test_every_staff_role_is_reserved(app, factory, role, now):
    from app.accounts import services

    factory.user(role, display_name="Support Sam")
    with app.app_context(), pytest.raises(services.AccountError) as caught:
        services.create_user("sam@example.com", "support sam", "x" * 16, now)
    assert caught.value.field == "display_name"


def test_member_names_and_different_names_stay_free(client, factory):
    factory.user("moderator", display_name="Rosa Moderator")
    factory.user(display_name="Garden Gnome")
    for index, name in enumerate(["Rosa Gardener", "Garden Gnome"]):
        response = client.post(
            "/account/register",
            data={"email": f"n{index}@example.com", "display_name": name, "password": "x" * 16},
        )
        # Accepted: the confirmation link is on its way (the account exists once it is used).
        assert response.status_code == 200, name
        assert "Check your e-mail" in response.get_data(as_text=True), name
