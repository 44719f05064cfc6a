"""The coach reads answers as people write them and challenges what the book says is wrong,
end to end through the emulator: numbers with units, durations and choices with a reason,
non-answers, a model metric as the KPI, no-go, answering any question later, the brief."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.bank_file import load_bank
from bot.domain.bank import Question
from tests.clock import ManualClock
from tests.conftest import Harness
from tests.interviews import (
    PLANNING,
    block_text,
    briefs,
    new_project,
    questions_asked,
    reply,
    thread_posts,
    valid_answer,
)
from tests.test_home import home_text, open_home

SCOPING = load_bank().questions("scoping")
SLUG = "churn-reduction"


async def mle(h: Harness, text: str, user: str = "U0ALICE") -> str:
    result = await h.emulator.slash(text, user=user)
    assert result.status == 200
    await h.idle()
    return h.emulator.ephemerals_for(user)[-1].text


def last_post(h: Harness, thread: str) -> str:
    post = thread_posts(h, thread)[-1]
    return f"{post.text}\n{block_text(post)}"


async def answer_up_to(
    h: Harness, thread: str, questions: tuple[Question, ...], count: int
) -> None:
    for question in questions[:count]:
        await reply(h, thread, valid_answer(question))


async def stored(h: Harness, stage: str = "planning") -> dict[str, tuple[str, str]]:
    project = await h.only_project()
    rows = await h.read(lambda tx: tx.answers.for_project("T0SANDBOX", project.id, stage))
    return {a.question_key: (a.status, a.text) for a in rows}


async def finish_planning(h: Harness, thread: str) -> None:
    await answer_up_to(h, thread, PLANNING, len(PLANNING))
    assert briefs(h, thread)


async def into_scoping(h: Harness) -> str:
    thread = await new_project(h)
    await finish_planning(h, thread)
    assert (await mle(h, f"stage {SLUG} next")).startswith("Moved")
    assert questions_asked(h, thread)[-1].startswith("Q1/7 ")
    return thread


# ---- 1. numbers as people write them


async def test_numbers_are_read_with_their_unit_and_said_back(harness: Harness) -> None:
    thread = await new_project(harness)
    await answer_up_to(harness, thread, PLANNING, 5)
    await reply(harness, thread, "about 4.1% monthly")
    assert "Q6 read as *4.1 %*" in last_post(harness, thread)
    await reply(harness, thread, "from 4.1% to 3.5%")  # two numbers: which one?
    said = last_post(harness, thread)
    assert "4.1 % and 3.5 %" in said and "which one" in said
    assert "kpi_target" not in await stored(harness)
    await reply(harness, thread, "3,8%")
    shown = last_post(harness, thread)
    assert "Q7 read as *3.8 %*" in shown
    assert "Cut churn by 2 points: 4.1 % → 3.8 % (lower is better)" in shown
    answers = await stored(harness)
    assert answers["kpi_baseline"] == ("answered", "about 4.1% monthly")  # kept as written
    assert answers["kpi_target"] == ("answered", "3,8%")


async def test_the_brief_shows_the_kpi_with_units_and_direction(harness: Harness) -> None:
    thread = await new_project(harness)
    for question in PLANNING:
        text = {"kpi": "Monthly churn rate", "kpi_baseline": "4.1%", "kpi_target": "3,8 %"}.get(
            question.key, valid_answer(question)
        )
        await reply(harness, thread, text)
    [brief] = briefs(harness, thread)
    text = block_text(brief)
    assert "*KPI:* Monthly churn rate: 4.1 % → 3.8 % (lower is better), owned by <@U0BOB>" in text
    assert "(read as 3.8 %)" in text
    assert "*Success:*" in text and "*Out of scope:*" in text
    assert "*Risks*" not in text and "*Open*" not in text


async def test_metric_command_takes_units_and_refuses_another(harness: Harness) -> None:
    await new_project(harness)
    await mle(harness, f"deploy {SLUG} churn-lgbm")
    said = await mle(harness, 'metric churn-lgbm "monthly churn" baseline=4.5% target=3,8%')
    assert "monthly churn: 4.5 % → 3.8 % (lower is better)" in said
    project = await harness.only_project()
    model = await harness.read(
        lambda tx: tx.models.by_name("T0SANDBOX", "churn-lgbm", "churn-lgbm")
    )
    assert model is not None and model.project_id == project.id
    kpi = await harness.read(lambda tx: tx.metrics.get("T0SANDBOX", model.id, "monthly churn"))
    assert kpi is not None and (kpi.baseline, kpi.target, kpi.unit, kpi.direction) == (
        4.5,
        3.8,
        "%",
        "lower",
    )
    refused = await mle(harness, 'metric churn-lgbm "monthly churn" 0.041')
    assert "looks like a fraction" in refused and "`4.1%`" in refused
    refused = await mle(harness, 'metric churn-lgbm "monthly churn" 4.1pp')
    assert "in %" in refused and "in pp" in refused
    values = await harness.read(lambda tx: tx.metrics.values_for([("T0SANDBOX", kpi.id)]))
    assert not values.get(kpi.id)  # refusals change nothing
    accepted = await mle(harness, 'metric churn-lgbm "monthly churn" 4.1%')
    assert "value 4.1 % on" in accepted
    digest = await mle(harness, "digest now")
    del digest
    texts = "\n".join(block_text(m) for m in harness.emulator.bot_posts("C0MLTEAM"))
    assert "monthly churn 4.1 % ↓ vs baseline 4.5 % (better ✅; lower is better)" in texts


# ---- 2. durations and choices


async def test_durations_and_choices_with_a_reason(harness: Harness) -> None:
    thread = await into_scoping(harness)
    await reply(harness, thread, "2 weeks overall, about 4 days per approach")
    assert "time box set to *14 days*" in last_post(harness, thread)
    project = await harness.only_project()
    box = await harness.read(lambda tx: tx.projects.time_box("T0SANDBOX", project.id, "scoping"))
    assert box == 14
    await answer_up_to(harness, thread, SCOPING[1:], len(SCOPING) - 2)
    await reply(harness, thread, "Go - the signal is there")
    assert "*go*. Reason kept: “the signal is there”" in last_post(harness, thread)
    assert (await stored(harness, "scoping"))["go_no_go"] == (
        "answered",
        "Go - the signal is there",
    )
    assert (await mle(harness, f"stage {SLUG} next")).startswith("Moved")


# ---- 3. non-answers stay open


async def test_a_non_answer_keeps_the_question_open_and_is_asked_again(harness: Harness) -> None:
    thread = await new_project(harness)
    kept = await reply(harness, thread, "tbd")
    assert "memo" in kept.reactions
    assert "Q1 kept as a note, but it stays *open*" in last_post(harness, thread)
    assert questions_asked(harness, thread)[-1].startswith("Q2/12 ")  # the interview goes on
    await answer_up_to(harness, thread, PLANNING[1:], len(PLANNING) - 1)
    assert questions_asked(harness, thread)[-1].startswith("Q1/12 ")  # asked once more
    assert "asked once more" in last_post(harness, thread)
    await reply(harness, thread, "not sure")
    [brief] = briefs(harness, thread)
    text = block_text(brief)
    assert "gate is closed" in text
    assert "*Open*" in text and f"/mle answer {SLUG} Q1" in text
    assert "Q1 answered “not sure”, which is not an answer yet" in text
    assert (await stored(harness))["success"] == ("open", "not sure")
    refused = await mle(harness, f"stage {SLUG} next")
    assert "gate of *Churn reduction* is closed" in refused and f"/mle answer {SLUG} Q1" in refused


async def test_scoping_harm_cases_no_longer_pass_the_gate(harness: Harness) -> None:
    """none, unknown, `no, data is not available` and no-go all passed the scoping gate."""
    thread = await into_scoping(harness)
    typed = {
        "research_time_box": "2 weeks",
        "shortlist": "none",
        "data_check": "no, data is not available",
        "baseline": "unknown",
        "budget": "tbd",
        "new_tech": "no",
        "go_no_go": "no-go",
    }
    for question in SCOPING:
        await reply(harness, thread, typed[question.key])
    for question in SCOPING:  # the second round: the same non-answers again
        if question.key in ("shortlist", "baseline", "budget"):
            await reply(harness, thread, typed[question.key])
    refused = await mle(harness, f"stage {SLUG} next")
    assert "decided *no-go*" in refused
    [brief] = [m for m in thread_posts(harness, thread) if "Scoping brief" in m.text]
    text = block_text(brief)
    assert "⛔" in brief.text and "✅ The scoping gate passes" not in text
    assert "not an answer yet" in text and "data is not available" in text
    assert (await harness.only_project()).stage == "scoping"


# ---- 4. a model metric as the KPI


async def test_a_model_metric_as_kpi_is_challenged_then_kept_flagged(harness: Harness) -> None:
    thread = await new_project(harness)
    await answer_up_to(harness, thread, PLANNING, 4)
    await reply(harness, thread, "AUC")
    said = last_post(harness, thread)
    assert "AUC measures the *model*, not the business" in said
    assert "monthly churn rate" in said and "revenue per visit" in said
    assert questions_asked(harness, thread)[-1].startswith("Q5/12 ")  # not moved on
    assert "kpi" not in await stored(harness)
    await reply(harness, thread, "AUC")  # the same again: kept, flagged
    assert "flagged *F2*" in last_post(harness, thread)
    assert questions_asked(harness, thread)[-1].startswith("Q6/12 ")
    await answer_up_to(harness, thread, PLANNING[5:], len(PLANNING) - 5)
    [brief] = briefs(harness, thread)
    assert "F2" in brief.text and "F2: the KPI names a model metric (AUC)" in block_text(brief)
    assert (await mle(harness, f"stage {SLUG} next --force")).startswith("Moved")
    moved = [m.text for m in thread_posts(harness, thread) if "moved from *planning*" in m.text]
    assert "F2" in moved[0] and f"/mle answer {SLUG} planning.Q5" in moved[0]
    await mle(harness, f"deploy {SLUG} churn-lgbm")
    deployed = last_post(harness, thread)
    assert "🚀" in deployed
    assert "AUC" not in deployed
    assert "&lt;business KPI&gt;" in deployed


async def test_insisting_on_a_model_metric_with_a_reason_keeps_it_flagged(
    harness: Harness,
) -> None:
    """People insist with a reason, not by sending the same words again: still F2, and the
    KPI is named without the `no,` and the reason."""
    thread = await new_project(harness)
    await answer_up_to(harness, thread, PLANNING, 4)
    await reply(harness, thread, "AUC of the churn model")
    await reply(
        harness,
        thread,
        "no, AUC of the churn model - that's what the retention team signed off on",
    )
    assert "flagged *F2*" in last_post(harness, thread)
    await reply(harness, thread, "0,71")
    await reply(harness, thread, "0.78")
    assert "📏 KPI: *AUC of the churn model: 0.71 → 0.78" in last_post(harness, thread)
    await answer_up_to(harness, thread, PLANNING[7:], len(PLANNING) - 7)
    [brief] = briefs(harness, thread)
    assert "F2: the KPI names a model metric (AUC)" in block_text(brief)


async def test_renaming_the_kpi_says_its_numbers_were_given_for_the_former_one(
    harness: Harness,
) -> None:
    thread = await new_project(harness)
    await answer_up_to(harness, thread, PLANNING, 4)
    for _ in range(2):  # challenged, then kept
        await reply(harness, thread, "AUC of the upsell model")
    await reply(harness, thread, "0,69")
    await reply(harness, thread, "0.74")
    said = await mle(harness, f"answer {SLUG} Q5 upsell revenue per SMB account per quarter")
    expected = (
        "⚠️ The baseline (0.69) and target (0.74) were given for *AUC of the upsell model*: if "
        "they don't fit *upsell revenue per SMB account per quarter*, answer Q6 and Q7 again."
    )
    assert expected in said and expected in last_post(harness, thread)
    # the same KPI written again differently says nothing of the kind
    said = await mle(harness, f"answer {SLUG} Q5 Upsell revenue per SMB account per quarter")
    assert "were given for" not in said


async def test_a_business_kpi_naming_a_model_metric_only_to_set_it_aside_passes(
    harness: Harness,
) -> None:
    thread = await new_project(harness)
    await answer_up_to(harness, thread, PLANNING, 4)
    await reply(harness, thread, "Monthly churn rate, not AUC")
    assert questions_asked(harness, thread)[-1].startswith("Q6/12 ")
    assert (await stored(harness))["kpi"] == ("answered", "Monthly churn rate, not AUC")


async def test_a_target_on_the_wrong_side_of_a_stated_direction_is_flagged(
    harness: Harness,
) -> None:
    thread = await new_project(harness)
    await answer_up_to(harness, thread, PLANNING, 4)
    await reply(harness, thread, "Reduce monthly churn")
    await reply(harness, thread, "4.1%")
    await reply(harness, thread, "4.5%")
    assert "on the other side of the baseline" in last_post(harness, thread)


# ---- 5. a no-go closes the way forward


async def test_no_go_closes_the_gate_until_answered_again_or_forced(harness: Harness) -> None:
    thread = await into_scoping(harness)
    await answer_up_to(harness, thread, SCOPING, len(SCOPING) - 1)
    await reply(harness, thread, "no-go: no labels")
    refused = await mle(harness, f"stage {SLUG} next")
    assert "decided *no-go*" in refused and "<@U0ALICE>" in refused
    assert "“no labels”" in refused and f"/mle answer {SLUG} Q7 go" in refused
    assert f"/mle close {SLUG} cancelled" in refused
    assert (await harness.only_project()).stage == "scoping"
    again = await mle(harness, f"answer {SLUG} Q7 go - labelled data arrived", user="U0BOB")
    assert again.startswith("Recorded scoping Q7")
    # one line says who changed what, and what it was (not a second ✏️ line saying it again)
    assert "✏️ <@U0BOB> revised scoping Q7" in last_post(harness, thread)
    assert "” (was answered: “no-go: no labels”)" in last_post(harness, thread)
    assert "✏️ scoping Q7 revised" not in last_post(harness, thread)
    # lifting the no-go says that the way on is open now, and how
    assert "*no-go* is lifted and the scoping gate passes now" in last_post(harness, thread)
    assert f"`/mle stage {SLUG} next` moves on" in last_post(harness, thread)
    assert (await mle(harness, f"stage {SLUG} next")).startswith("Moved")


async def test_answering_the_last_open_question_after_a_no_go_does_not_promise_a_way_on(
    harness: Harness,
) -> None:
    """The thread never says "moves on" while the team's no-go closes the gate."""
    thread = await into_scoping(harness)
    await answer_up_to(harness, thread, SCOPING, 4)
    await reply(harness, thread, "skip")  # Q5, the budget: required, left for later
    await reply(harness, thread, "nothing new")
    await reply(harness, thread, "no-go: no labels yet")
    await reply(harness, thread, "skip")  # Q5 asked once more at the end: still no figure
    assert briefs(harness, thread)
    await reply(harness, thread, "Q5: ~$2k/month incl snowflake compute, finance ok'd it")
    said = last_post(harness, thread)
    assert "Every required scoping question is answered now, but the team's *no-go* at Q7" in said
    assert f"/mle answer {SLUG} Q7 go - <what changed>" in said
    assert "moves on" not in said
    assert "decided *no-go*" in await mle(harness, f"stage {SLUG} next")


async def test_a_no_go_given_later_says_at_once_that_it_closes_the_gate(harness: Harness) -> None:
    thread = await into_scoping(harness)
    await answer_up_to(harness, thread, SCOPING, len(SCOPING))
    assert "moves on" not in last_post(harness, thread)  # the brief: the gate passes
    await reply(harness, thread, "Q7: no-go - the budget was cut")
    said = last_post(harness, thread)
    assert "⛔ This *no-go* closes the scoping gate" in said
    assert f"/mle close {SLUG} cancelled <why>" in said


async def test_a_no_go_shows_where_people_look_and_the_checkin_offers_no_way_on(
    timed: tuple[Harness, ManualClock],
) -> None:
    """Home, `/mle status` and the check-in all say that the team decided no-go, and the
    check-in has no "Ready for next stage" button that could only be refused."""
    h, clock = timed
    thread = await into_scoping(h)
    await answer_up_to(h, thread, SCOPING, len(SCOPING) - 1)
    await reply(h, thread, "no-go: no labels yet")
    await open_home(h)
    assert "the team decided *no-go*: the gate is closed" in home_text(h)
    assert "gate passes" not in home_text(h)
    await mle(h, "status")
    listing = block_text(h.emulator.ephemerals_for("U0ALICE")[-1])  # type: ignore[arg-type]
    assert "scoping, day 1 of 14; ⛔ the team decided *no-go*: the gate is closed" in listing
    await mle(h, f"status {SLUG}")
    one = block_text(h.emulator.ephemerals_for("U0ALICE")[-1])  # type: ignore[arg-type]
    assert "⛔ The team decided *no-go* at scoping Q7 (<@U0ALICE>" in one
    assert "“no labels yet”" in one
    monday = clock.at(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))  # 10:00 in Berlin, alice's
    await h.runtime.services.scheduler_pass(monday)
    await h.idle()
    [checkin] = [p for p in thread_posts(h, thread) if p.text.startswith("Check-in")]
    assert "No-go: the gate is closed." in checkin.text
    shown = block_text(checkin)
    assert "⛔ The team decided *no-go* at Q7" in shown and "Q7: go - <what changed>" in shown
    assert "the gate passes" not in shown
    buttons = [
        e["action_id"]
        for b in checkin.blocks or []
        if b["type"] == "actions"
        for e in b["elements"]
    ]
    assert buttons == ["checkin_on_track", "checkin_blocked"]


async def test_owner_may_force_past_a_no_go_and_it_is_recorded(harness: Harness) -> None:
    thread = await into_scoping(harness)
    await answer_up_to(harness, thread, SCOPING, len(SCOPING) - 1)
    await reply(harness, thread, "no-go")
    assert (await mle(harness, f"stage {SLUG} next --force")).startswith("Moved")
    project = await harness.only_project()
    history = await harness.read(lambda tx: tx.projects.history("T0SANDBOX", project.id))
    assert "over the team's no-go" in (history[-1][4] or "")


# ---- 6. any question answerable at any time


async def test_a_skipped_question_is_answered_later_by_command(harness: Harness) -> None:
    thread = await new_project(harness)
    await reply(harness, thread, "skip")
    await answer_up_to(harness, thread, PLANNING[1:], len(PLANNING) - 1)
    await reply(harness, thread, "skip")  # the second round
    [brief] = briefs(harness, thread)
    assert "gate is closed" in brief.text
    said = await mle(harness, f"answer {SLUG} Q1 Cut churn by 2 points", user="U0CAROL")
    assert said.startswith("Recorded planning Q1 of *Churn reduction*.")
    assert "revised (was skipped" in said
    assert f"Every required planning question is answered now: `/mle stage {SLUG} next`" in said
    assert "✏️ <@U0CAROL> revised planning Q1 (success)" in last_post(harness, thread)
    assert "(was skipped" in last_post(harness, thread)
    assert "✏️ planning Q1 revised" not in last_post(harness, thread)
    assert (await stored(harness))["success"] == ("answered", "Cut churn by 2 points")
    await reply(harness, thread, "Q3: ?")  # a non-answer to a required question, kept open
    await reply(harness, thread, "Q3: skip")
    assert "✏️ planning Q3 skipped (was open: “?”)." in last_post(harness, thread)
    await reply(harness, thread, f"Q3: {valid_answer(PLANNING[2])}")
    assert "✏️ planning Q3 revised (was skipped: “skip”)." in last_post(harness, thread)
    assert (await mle(harness, f"stage {SLUG} next")).startswith("Moved")
    # from scoping, an earlier stage's question by its stage and number
    refused = await mle(harness, f"answer {SLUG} planning.Q6 4.5%")
    assert "0.061 reads as a fraction while the KPI is in %" in refused  # the target is 0.061
    said = await mle(harness, f"answer {SLUG} planning.Q6 0.045")
    assert said.startswith("Recorded planning Q6") and "read as *0.045*" in said
    project = await harness.only_project()
    [answer] = [
        a
        for a in await harness.read(lambda tx: tx.answers.for_project("T0SANDBOX", project.id))
        if a.question_key == "kpi_baseline"
    ]
    history = await harness.read(lambda tx: tx.answers.history("T0SANDBOX", answer.id))
    assert [text for text, _, _ in history] == ["0.061", "0.045"]
    # bad input loses nothing and says why
    refused = await mle(harness, f"answer {SLUG} planning.Q6 about a third")
    assert refused.startswith("Nothing recorded") and "number" in refused
    assert "planning Q6 needs one number" in refused.replace("Planning", "planning")
    talk = await mle(harness, f"answer {SLUG} planning.Q6 // ask finance first")
    assert talk == "Nothing recorded: an answer starting with `//` reads as discussion."
    later = await mle(harness, f"answer {SLUG} development.Q1 yes")
    assert "come when it gets there" in later
    missing = await mle(harness, f"answer {SLUG} Q42 yes")
    assert "Q1 to Q7" in missing


async def test_a_numbered_reply_answers_that_question_whenever_it_comes(harness: Harness) -> None:
    thread = await new_project(harness)
    await reply(harness, thread, "Cut churn by 2 points")
    asked = len(questions_asked(harness, thread))
    early = await reply(harness, thread, "Q10: fraud cases are out of scope")
    assert "white_check_mark" in early.reactions
    assert len(questions_asked(harness, thread)) == asked  # Q2 still pending, not re-asked
    assert (await stored(harness))["out_of_scope"] == (
        "answered",
        "fraud cases are out of scope",
    )
    await answer_up_to(harness, thread, PLANNING[1:9], 8)
    # Q10 was answered early: the interview goes from Q9 straight to Q11
    assert questions_asked(harness, thread)[-1].startswith("Q11/12 ")
    await answer_up_to(harness, thread, PLANNING[10:], 2)
    assert briefs(harness, thread)
    # after the brief, `Q2: …` revises an answer; a plain reply is discussion
    await reply(harness, thread, "Q2: Analysts pull a weekly list in Excel")
    assert (await stored(harness))["current_process"][1] == "Analysts pull a weekly list in Excel"
    before = len(thread_posts(harness, thread))
    await reply(harness, thread, "thanks all")
    assert len(thread_posts(harness, thread)) == before
    await reply(harness, thread, "Q99: what")
    assert "there is no Q99" in last_post(harness, thread)


# ---- 7. a brief a lead would forward


async def test_brief_command_posts_the_latest_brief_again(harness: Harness) -> None:
    thread = await new_project(harness)
    early = await mle(harness, f"brief {SLUG}")
    assert "No interview of *Churn reduction* has finished yet" in early
    await finish_planning(harness, thread)
    said = await mle(harness, f"brief {SLUG}")
    assert said == "Posted the planning brief of *Churn reduction* in its thread."
    assert len(briefs(harness, thread)) == 2
    text = block_text(briefs(harness, thread)[-1])
    assert "*KPI:*" in text and "*Risks*" in text  # 0.061 → 0.061: nothing would be better
    assert "the target equals the baseline" in text


async def test_reminders_never_suggest_a_model_metric_and_carry_the_planning_f2(
    timed: tuple[Harness, ManualClock],
) -> None:
    h, clock = timed
    thread = await new_project(h)
    await answer_up_to(h, thread, PLANNING, 4)
    for _ in range(2):  # challenged, then kept
        await reply(h, thread, "ROC AUC on the holdout")
    for question in PLANNING[5:]:
        text = {"kpi_baseline": "4.1%", "kpi_target": "3,8%"}.get(question.key)
        await reply(h, thread, text or valid_answer(question))
    await mle(h, f"deploy {SLUG} churn-lgbm")
    clock.at(clock() + timedelta(days=8))
    await h.runtime.services.scheduler_pass(clock())
    await h.idle()
    [reminder] = [m for m in thread_posts(h, thread) if "cannot show its business" in m.text]
    text = block_text(reminder)
    assert "F2 a model metric used as the KPI* (from planning)" in text
    assert "ROC AUC" in text  # named as the problem …
    assert '/mle metric churn-lgbm "&lt;business KPI&gt;" baseline=4.1% target=3.8%' in text
    assert 'AUC" baseline' not in text  # … never as the fix
    assert "method=ab lower" in text


# ---- what a lead trying it hit


async def test_what_a_lead_trying_it_hit(harness: Harness) -> None:
    thread = await new_project(harness)
    texts = {
        "kpi": "ok fair - monthly churn rate of paying subscribers",
        "kpi_baseline": "4.1%",
        "kpi_target": "3.7",  # bare: the baseline's unit
        "kpi_owner": "probably <@U0CAROL>, she owns the churn dashboard",
    }
    for question in PLANNING:
        await reply(harness, thread, texts.get(question.key, valid_answer(question)))
    [brief] = briefs(harness, thread)
    text = block_text(brief)
    assert "*KPI:* monthly churn rate of paying subscribers: 4.1 % → 3.7 % (lower" in text
    assert "probably <@U0CAROL>, she owns the churn dashboard" in text  # the words are kept
    # a revision by `Q<n>:` says what it replaced
    await reply(harness, thread, "Q10: fraud cases and B2B accounts")
    assert "✏️ planning Q10 revised (was answered: “Cut churn by 2 points”)" in last_post(
        harness, thread
    )
    # a value without a KPI name goes to the model's only KPI; its owner comes from planning
    await mle(harness, f"deploy {SLUG} churn-v1")
    none_yet = await mle(harness, "metric churn-v1 3.9%")
    assert "has no business KPI yet" in none_yet
    defined = await mle(harness, 'metric churn-v1 "monthly churn" baseline=4.1 % target=3,7 %')
    assert "Owner <@U0CAROL>, as named in planning" in defined
    reported = await mle(harness, "metric churn-v1 3.9 %")
    assert "value 3.9 % on" in reported
    model = await harness.read(lambda tx: tx.models.by_name("T0SANDBOX", "churn-v1", "churn-v1"))
    assert model is not None
    kpis = await harness.read(lambda tx: tx.metrics.for_models([("T0SANDBOX", model.id)]))
    assert [k.name for k in kpis[model.id]] == ["monthly churn"]
    # the planning brief stays reachable after the project moved on
    await mle(harness, f"stage {SLUG} next")
    said = await mle(harness, f"brief {SLUG} planning")
    assert said == "Posted the planning brief of *Churn reduction* in its thread."
    assert len(briefs(harness, thread)) == 2


async def test_a_hedged_choice_is_not_a_decision(harness: Harness) -> None:
    thread = await into_scoping(harness)
    await answer_up_to(harness, thread, SCOPING, len(SCOPING) - 1)
    await reply(harness, thread, "go-ish, pending cost check")
    said = last_post(harness, thread)
    assert "reads as not decided yet" in said and "`go`, `no-go`" in said
    assert "go_no_go" not in await stored(harness, "scoping")


async def test_a_person_answer_reads_me_and_refuses_two_people(harness: Harness) -> None:
    thread = await new_project(harness)
    for question in PLANNING[:5]:
        await reply(harness, thread, valid_answer(question))
    await reply(harness, thread, "4.1%")
    await reply(harness, thread, "0.038")  # a fraction of a % KPI: asked again
    said = last_post(harness, thread)
    assert "0.038 reads as a fraction while the KPI is in %" in said
    assert "kpi_target" not in await stored(harness)
    await reply(harness, thread, "3.8%")
    await reply(harness, thread, "me and <@U0BOB>")
    assert "mentions several people" in last_post(harness, thread)
    await reply(harness, thread, "me, I run the churn dashboard")
    assert "Q8 read as *<@U0ALICE>*" in last_post(harness, thread)


async def test_a_second_round_after_a_question_answered_early(harness: Harness) -> None:
    thread = await into_scoping(harness)
    await reply(harness, thread, "Q7: go")  # the go/no-go, answered before its turn
    for question in SCOPING[:4]:
        await reply(harness, thread, valid_answer(question))
    await reply(harness, thread, "tbd")  # Q5, the budget
    await reply(harness, thread, "no")  # Q6: then Q7 is answered already
    assert questions_asked(harness, thread)[-1].startswith("Q5/7 ")  # asked once more
