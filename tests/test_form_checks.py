"""Forms are checked like commands (issue 26): every value a form sends goes through the
command's own rules, the ids it carries must belong together and to a project the person may
see, and a name that is taken never tells who holds it. Each through the real signed HTTP
path into the app, with the emulator."""

from __future__ import annotations

from typing import Any

import pytest

from bot.checkins import render as checkin_render
from bot.models import render as model_render
from handlers import actions
from sandbox.emulator import events
from sandbox.emulator.state import Message, View
from tests.clock import ManualClock
from tests.conftest import Harness
from tests.interviews import new_project
from tests.test_checkins import BOB_MONDAY, MONDAY
from tests.test_checkins import _tick as tick
from tests.test_inbox import _execute

SECRET = "G0ZEBRA"  # a private channel: alice and the bot, not bob


def _private_channel(h: Harness) -> None:
    ws = h.emulator.workspace
    ws.add_channel(SECRET, "zebra", is_private=True, members=("U0ALICE", ws.bot_user_id))


async def _typed(h: Harness, text: str, user: str, channel: str = "C0MLTEAM") -> str:
    """What the person who typed the command was told."""
    before = len(h.emulator.ephemerals_for(user))
    result = await h.emulator.slash(text, user=user, channel=channel)
    await h.idle()
    assert result.status == 200
    if result.body.strip().startswith("{") and result.json().get("text"):
        return str(result.json()["text"])
    shown = h.emulator.ephemerals_for(user)[before:]
    return shown[-1].text if shown else ""


def _everything_posted(h: Harness) -> str:
    return "\n".join(m.text for m in h.emulator.bot_posts())


def _metric_form(
    name: str = "monthly churn", owner: str = "U0BOB", baseline: str = "0.05"
) -> dict[str, dict[str, Any]]:
    return {
        "metric_name": {"value": {"type": "plain_text_input", "value": name}},
        "baseline": {"value": {"type": "number_input", "value": baseline}},
        "target": {"value": {"type": "number_input", "value": "0.04"}},
        "owner": {"value": {"type": "users_select", "selected_user": owner}},
        "method": {"value": {"type": "static_select", "selected_option": {"value": "ab"}}},
        "direction": {"value": {"type": "static_select", "selected_option": {"value": "lower"}}},
    }


async def _submit_metric_form(
    h: Harness, model_id: int, values: dict[str, dict[str, Any]], user: str = "U0ALICE"
) -> dict[str, Any]:
    """Submit the Add-metric form opened for `model_id` (as Slack would send it); returns the
    app's answer to the submission."""
    view = model_render.add_metric_modal(model_id, "m", model_render.KpiHint())
    view_id = f"V0FORM{len(h.emulator.workspace.views)}"
    h.emulator.workspace.views[view_id] = View(view_id, user, view, "modal")
    submitted = await h.emulator.submit_view(view_id, values, user=user)
    await h.idle()
    assert submitted.status == 200
    return submitted.json() if submitted.body.strip().startswith("{") else {}


async def _deployed(h: Harness, model: str = "churn-lgbm") -> int:
    await new_project(h, "Churn")
    await _typed(h, f"deploy Churn {model}", "U0ALICE")
    [(model_id,)] = _execute(h.database, f"SELECT id FROM models WHERE slug = '{model}'")
    return int(model_id)


async def _private_model(h: Harness) -> int:
    """A model of a project in the private channel (alice's)."""
    _private_channel(h)
    await new_project(h, "Zebra secret project", channel=SECRET)
    await _typed(h, "deploy Zebra secret project zebra-model", "U0ALICE", SECRET)
    [(model_id,)] = _execute(h.database, "SELECT id FROM models WHERE slug = 'zebra-model'")
    return int(model_id)


def _metrics(h: Harness) -> list[tuple[Any, ...]]:
    return _execute(h.database, "SELECT name, owner_id FROM business_metrics")


async def test_the_add_metric_form_holds_the_name_to_the_commands_rules(harness: Harness) -> None:
    """`churn <!here> <https://evil.example|x>` became a live @here and a disguised link in
    the project thread; a name of zero-width characters was accepted."""
    h = harness
    model_id = await _deployed(h)
    for name in (
        "churn <!here> <https://evil.example|x>",
        "\u200b\u200b \u2060",
        "\u3164",
        "churn\u202e",
    ):
        answer = await _submit_metric_form(h, model_id, _metric_form(name))
        assert answer.get("response_action") == "errors", (name, answer)
        said = answer["errors"]["metric_name"]
        assert "visible character" in said or "mention" in said or "direction" in said, said
    assert _metrics(h) == []
    posted = _everything_posted(h)
    assert "<!here>" not in posted and "<https://evil" not in posted
    # a plain name is taken, and said in the thread with nothing live in it
    answer = await _submit_metric_form(h, model_id, _metric_form("churn &"))
    assert answer == {}, answer
    assert _metrics(h) == [("churn &", "U0BOB")]
    [line] = [m.text for m in h.emulator.bot_posts() if "via the form" in m.text]
    assert "*churn &amp;*" in line, line


async def test_a_form_reply_reposted_in_the_thread_carries_no_live_token(
    harness: Harness,
) -> None:
    """The form's answer is re-posted in the thread: a model name that reached the database
    another way (an older version, MLflow) shows as text there."""
    h = harness
    model_id = await _deployed(h)
    _execute(h.database, f"UPDATE models SET name = '<!channel> m' WHERE id = {model_id}")
    assert await _submit_metric_form(h, model_id, _metric_form()) == {}
    [line] = [m.text for m in h.emulator.bot_posts() if "via the form" in m.text]
    assert "<!channel>" not in line and "&lt;!channel&gt; m" in line, line
    assert "<@U0ALICE>" in line  # the product's own mention stays


async def test_form_user_fields_must_be_user_ids(timed: tuple[Harness, ManualClock]) -> None:
    """`U0X> <!channel> …` in a user field was posted live."""
    h, clock = timed
    model_id = await _deployed(h)
    forged = "U0X> <!channel> hi <@U0X"
    answer = await _submit_metric_form(h, model_id, _metric_form(owner=forged))
    assert answer["response_action"] == "errors" and set(answer["errors"]) == {"owner"}
    assert _metrics(h) == []
    # the Blocked form's "who can unblock it"
    thread = await new_project(h, "Fraud", user="U0BOB")
    await tick(h, clock, BOB_MONDAY)
    [post] = [m for m in h.emulator.bot_posts("C0MLTEAM", thread) if m.text.startswith("Check")]
    await h.emulator.click(post, "checkin_blocked", user="U0BOB")
    await h.idle()
    [view] = [v for v in h.emulator.workspace.views.values() if v.view["callback_id"] == "blocker"]
    values = {
        "what": {"value": {"type": "plain_text_input", "value": "waiting for data"}},
        "who": {"value": {"type": "users_select", "selected_user": forged}},
    }
    refused = await h.emulator.submit_view(view.id, values, user="U0BOB")
    await h.idle()
    assert refused.json()["response_action"] == "errors"
    assert set(refused.json()["errors"]) == {"who"}
    assert "<!channel>" not in _everything_posted(h)
    assert _execute(h.database, "SELECT COUNT(*) FROM blockers") == [(0,)]


async def test_a_forged_model_id_defines_nothing_on_a_private_model(harness: Harness) -> None:
    h = harness
    model_id = await _private_model(h)
    answer = await _submit_metric_form(h, model_id, _metric_form(), user="U0BOB")
    assert answer["response_action"] == "errors"
    assert "That model no longer exists." in answer["errors"].values()
    assert _metrics(h) == []
    assert not any("via the form" in m.text for m in h.emulator.bot_posts())
    # its member still can
    assert await _submit_metric_form(h, model_id, _metric_form(), user="U0ALICE") == {}
    assert _metrics(h) == [("monthly churn", "U0BOB")]


async def test_a_snooze_form_for_a_private_model_snoozes_nothing(harness: Harness) -> None:
    h = harness
    model_id = await _private_model(h)
    view = model_render.snooze_modal(model_id, "zebra-model")
    h.emulator.workspace.views["V0SNOOZE"] = View("V0SNOOZE", "U0BOB", view, "modal")
    reason = {"reason": {"value": {"type": "plain_text_input", "value": "not now please"}}}
    answer = await h.emulator.submit_view("V0SNOOZE", reason, user="U0BOB")
    await h.idle()
    assert answer.json()["response_action"] == "errors"
    assert _execute(h.database, "SELECT snoozed_by FROM models") == [(None,)]


async def test_a_blocker_form_acts_only_on_the_check_in_it_names(
    timed: tuple[Harness, ManualClock],
) -> None:
    """`private_metadata` naming a private project's id with a public check-in's id raised a
    blocker on the private project and pinged its owner."""
    h, clock = timed
    _private_channel(h)
    await new_project(h, "Zebra secret project", channel=SECRET)
    public = await new_project(h, "Public thing", user="U0BOB")
    await tick(h, clock, BOB_MONDAY)
    [post] = [m for m in h.emulator.bot_posts("C0MLTEAM", public) if m.text.startswith("Check")]
    [(secret_id,)] = _execute(
        h.database, "SELECT id FROM projects WHERE name = 'Zebra secret project'"
    )
    [value] = [
        e["value"]
        for b in post.blocks or []
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "checkin_blocked"
    ]
    checkin = str(value).split(":")[1]
    forged = checkin_render.blocker_modal(f"{secret_id}:{checkin}", "Public thing")
    what = {"what": {"value": {"type": "plain_text_input", "value": "the merger is off"}}}
    for user in ("U0BOB", "U0ALICE"):  # bob cannot see it; alice can, but the ids disagree
        view_id = f"V0BLOCK{user}"
        h.emulator.workspace.views[view_id] = View(view_id, user, forged, "modal")
        answer = await h.emulator.submit_view(view_id, what, user=user)
        await h.idle()
        assert answer.json()["response_action"] == "errors", user
        assert "That check-in no longer exists." in answer.json()["errors"].values()
    assert _execute(h.database, "SELECT COUNT(*) FROM blockers") == [(0,)]
    assert not [m for m in h.emulator.bot_posts(SECRET) if "blocked" in m.text]
    assert "merger" not in _everything_posted(h)


async def test_a_taken_project_name_never_says_who_holds_it(harness: Harness) -> None:
    """`/mle new Zebra secret project` from a public channel answered "already exists: <its
    thread> in <#the private channel>"."""
    h = harness
    _private_channel(h)
    await new_project(h, "Zebra secret project", channel=SECRET)
    said = await _typed(h, "new Zebra secret project", "U0BOB")
    assert said == "The project name *Zebra secret project* is taken. Pick another name."
    assert await h.read(lambda tx: tx.projects.all_names("T0SANDBOX")) == ["Zebra secret project"]
    # alice may read the private channel: she is told where it is
    said = await _typed(h, "new Zebra secret project", "U0ALICE")
    assert "already exists" in said and f"<#{SECRET}>" in said


async def test_a_taken_model_name_never_says_which_project_holds_it(harness: Harness) -> None:
    """`/mle deploy public-thing zebra-model` named the private project that holds it."""
    h = harness
    _private_channel(h)
    await new_project(h, "Zebra secret project", channel=SECRET)
    await _typed(h, "deploy Zebra secret project zebra-model", "U0ALICE", SECRET)
    await new_project(h, "Public thing", user="U0BOB")
    for typed in ("zebra-model", "zebra_model"):
        said = await _typed(h, f"deploy public-thing {typed}", "U0BOB")
        assert said == f"The model name *{typed}* is taken. Pick another name.", said
    # alice sees both projects: she is told which one has it
    said = await _typed(h, "deploy public-thing zebra-model", "U0ALICE")
    assert "taken by project *Zebra secret project*" in said, said
    assert _execute(h.database, "SELECT COUNT(*) FROM models") == [(1,)]


async def test_the_form_keeps_the_units_a_number_is_written_with(harness: Harness) -> None:
    """`4.1%` in the form means what it means in `/mle metric … baseline=4.1%`."""
    h = harness
    model_id = await _deployed(h)
    values = _metric_form(baseline="4.1%")
    values["target"] = {"value": {"type": "number_input", "value": "3.8%"}}
    assert await _submit_metric_form(h, model_id, values) == {}
    await _typed(h, 'metric churn-lgbm "weekly churn" baseline=4.1% target=3.8%', "U0ALICE")
    rows = _execute(
        h.database, "SELECT name, baseline, target, unit FROM business_metrics ORDER BY id"
    )
    assert [row[1:] for row in rows] == [rows[1][1:]] * 2, rows


async def test_a_private_check_ins_buttons_do_nothing_for_someone_who_cannot_see_it(
    timed: tuple[Harness, ManualClock],
) -> None:
    """The ids a button carries are held to the same rule as a form's: the private check-in's
    buttons, pressed from a message in a public channel (Slack only lets people press what
    they can read, so the copy is where bob reads it), do nothing for bob."""
    h, clock = timed
    _private_channel(h)
    thread = await new_project(h, "Zebra secret project", channel=SECRET)
    await tick(h, clock, MONDAY)
    [post] = [m for m in h.emulator.bot_posts(SECRET, thread) if m.text.startswith("Check")]
    before = len(h.emulator.bot_posts(SECRET, thread))
    copy = Message(
        "C0MLTEAM",
        h.emulator.clock.next_ts(),
        post.text,
        h.emulator.workspace.bot_user_id,
        h.emulator.workspace.bot_id,
        blocks=post.blocks,
    )
    for action in ("checkin_on_track", "checkin_next", "checkin_blocked"):
        button = events.find_button(copy, action, None)
        payload = events.block_actions(h.emulator, copy, button, "U0BOB")
        assert (await h.emulator.deliver("interactive", payload)).status == 200
        await h.idle()
        assert h.emulator.ephemerals_for("U0BOB")[-1].text == "That check-in no longer exists."
    assert len(h.emulator.bot_posts(SECRET, thread)) == before
    assert not [v for v in h.emulator.workspace.views.values() if v.user == "U0BOB"]
    assert _execute(h.database, "SELECT COUNT(*) FROM thread_notes") == [(0,)]
    await h.emulator.click(post, "checkin_on_track", user="U0ALICE")  # hers: it counts
    await h.idle()
    assert "on track" in h.emulator.ephemerals_for("U0ALICE")[-1].text


async def test_a_form_whose_check_slack_is_slow_to_answer_stays_open_to_submit_again(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Slack waits 3 s for a form's answer: when Slack itself is slow to say who may see the
    project, the form stays open with a message instead of timing out (and is then lost)."""
    h = harness
    model_id = await _deployed(h)
    monkeypatch.setattr(actions, "FORM_CHECK_SECONDS", 0.2)
    h.runtime.services.visibility._readers.clear()  # nothing cached: Slack is asked
    h.emulator.stall_next("conversations.info", 1.0)
    answer = await _submit_metric_form(h, model_id, _metric_form())
    assert answer["response_action"] == "errors"
    assert actions.SLOW_CHECK in str(answer["errors"])
    assert _execute(h.database, "SELECT COUNT(*) FROM business_metrics") == [(0,)]
    assert await _submit_metric_form(h, model_id, _metric_form()) == {}  # again: it counts
    assert _execute(h.database, "SELECT COUNT(*) FROM business_metrics") == [(1,)]
