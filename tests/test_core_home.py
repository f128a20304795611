"""``Sharebot.home`` and ``Sharebot.preview``: what a person's own page shows, per role."""

from __future__ import annotations

from bot.views import Form, Notice
from tests.support import Chat


async def test_home_shows_settings_and_privacy_and_role_extras(chat: Chat) -> None:
    await chat.make_comms("chris")
    employee = await chat.core.home(chat.actor("anna"))
    assert [type(v).__name__ for v in employee.views] == ["Form", "Notice"]
    assert isinstance(employee.views[0], Form) and employee.views[0].form_id == "settings"
    comms = await chat.core.home(chat.actor("chris"))
    assert any(isinstance(v, Notice) and v.title == chat.text("list.title") for v in comms.views)
    hr = await chat.core.home(chat.actor("hanna"))
    forms = [v.form_id for v in hr.views if isinstance(v, Form)]
    assert forms == ["settings", "policy"]
    assert any(isinstance(v, Notice) and v.title == chat.text("roles.title") for v in hr.views)


async def test_preview_builds_the_card_without_saving(chat: Chat) -> None:
    await chat.make_comms("chris")
    values = {"url": "https://example.org/a", "captions": "Hello || Hallo", "hashtags": "team"}
    (form,) = (await chat.core.preview(chat.actor("chris"), values)).views
    assert isinstance(form, Form) and form.preview is not None
    assert form.preview.caption == "Hello" and form.preview.hashtags == ("team",)
    assert all(b.url == "https://example.org/a" for b in form.preview.share_buttons)
    (bad,) = (await chat.core.preview(chat.actor("chris"), {"url": "nope"})).views
    assert isinstance(bad, Form) and bad.preview is None
    assert chat.text("list.empty") in await chat.ask("chris", "list")
