"""Edits apply in the order they were made (their `edited.ts`), whatever order Slack
delivers them in: an older message_changed delivered after a newer one changes nothing."""

from __future__ import annotations

from sandbox.emulator import events
from sandbox.emulator.state import Message
from tests.conftest import Harness
from tests.interviews import PLANNING, new_project, reply, valid_answer


def _edited(h: Harness, message: Message, text: str) -> dict[str, object]:
    """The message_changed event of an edit made now (delivered later, by the test)."""
    previous = message.to_api()
    message.text, message.edited = text, True
    return events.changed_event(h.emulator, message, previous)


async def _answer(h: Harness) -> str:
    project = await h.only_project()
    [answer] = await h.read(lambda tx: tx.answers.for_project("T0SANDBOX", project.id))
    return answer.text


async def test_an_older_edit_delivered_late_does_not_revert_the_answer(harness: Harness) -> None:
    h = harness
    thread = await new_project(h)
    message = await reply(h, thread, "Cut churn by 2 points")
    first = _edited(h, message, "Cut churn by 3 points")
    second = _edited(h, message, "Cut churn by 4 points")
    assert (await h.emulator.deliver_event(second)).status == 200
    await h.idle()
    assert await _answer(h) == "Cut churn by 4 points"
    assert (await h.emulator.deliver_event(first)).status == 200  # late
    await h.idle()
    assert await _answer(h) == "Cut churn by 4 points"
    # a newer edit still applies
    await h.emulator.edit(message, "Cut churn by 5 points")
    await h.idle()
    assert await _answer(h) == "Cut churn by 5 points"


async def test_an_edit_back_to_the_same_text_still_counts_as_the_newest(harness: Harness) -> None:
    """A → B → A, the last delivered first: the answer is A, not B."""
    h = harness
    thread = await new_project(h)
    message = await reply(h, thread, "Cut churn by 2 points")
    to_b = _edited(h, message, "Cut churn by 3 points")
    back_to_a = _edited(h, message, "Cut churn by 2 points")
    await h.emulator.deliver_event(back_to_a)
    await h.idle()
    await h.emulator.deliver_event(to_b)
    await h.idle()
    assert await _answer(h) == "Cut churn by 2 points"


async def test_notes_keep_the_newest_edit_too(harness: Harness) -> None:
    """A reply kept as a note (not readable as the number asked for) follows the same
    order."""
    h = harness
    thread = await new_project(h)
    for question in PLANNING[:5]:  # up to the baseline (a number)
        await reply(h, thread, valid_answer(question))
    message = await reply(h, thread, "about a third")
    project = await h.only_project()
    [note] = await h.read(lambda tx: tx.notes.for_project("T0SANDBOX", project.id))
    assert note.kind == "unreadable"
    first = _edited(h, message, "about a quarter")
    second = _edited(h, message, "about a half")
    await h.emulator.deliver_event(second)
    await h.idle()
    await h.emulator.deliver_event(first)
    await h.idle()
    [note] = await h.read(lambda tx: tx.notes.for_project("T0SANDBOX", project.id))
    assert note.text == "about a half"


async def test_an_edit_delivered_after_the_delete_does_not_bring_the_answer_back(
    harness: Harness,
) -> None:
    h = harness
    thread = await new_project(h)
    message = await reply(h, thread, "Cut churn by 2 points")
    edit = _edited(h, message, "Cut churn by 3 points")
    await h.emulator.delete(message)
    await h.idle()
    await h.emulator.deliver_event(edit)  # made before the delete, delivered after it
    await h.idle()
    project = await h.only_project()
    [answer] = await h.read(lambda tx: tx.answers.for_project("T0SANDBOX", project.id))
    assert (answer.status, answer.text) == ("withdrawn", "Cut churn by 2 points")


async def test_the_reply_to_a_question_asked_again_after_a_delete_can_be_edited(
    harness: Harness,
) -> None:
    """A deleted answer's question is asked again; the new reply starts its own edits (the
    old message's deletion does not hold them back)."""
    h = harness
    thread = await new_project(h)
    first = await reply(h, thread, valid_answer(PLANNING[0]))
    await h.emulator.delete(first)
    await h.idle()
    for question in PLANNING[1:]:
        await reply(h, thread, valid_answer(question))
    again = await reply(h, thread, "Cut churn by 7 points")  # the question asked again
    await h.emulator.edit(again, "Cut churn by 9 points")
    await h.idle()
    project = await h.only_project()
    answers = await h.read(lambda tx: tx.answers.for_project("T0SANDBOX", project.id))
    success = next(a for a in answers if a.question_key == PLANNING[0].key)
    assert success.text == "Cut churn by 9 points"
