"""Usage text for `/mle`, whole or for one subcommand."""

from __future__ import annotations

LINES = {
    "new": (
        "/mle new <project name>",
        "start a project in this channel and its planning interview in a thread",
    ),
    "status": (
        "/mle status [<project>]",
        "this channel's projects, or one project's answers so far",
    ),
    "stage": (
        "/mle stage <project> next|<stage> [--force]",
        "move a project on when its stage gate passes (`--force`: owner or admin)",
    ),
    "checkin": (
        "/mle checkin <project> <days> <HH:MM> [<IANA tz>]  |  off",
        "when to check in, e.g. `mon,thu 09:30 Europe/Paris` (default: mon 10:00)",
    ),
    "answer": (
        "/mle answer <project> [<stage>.]Q<n> <answer>",
        "answer or revise a question of the current stage (`Q4`) or an earlier one "
        "(`planning.Q4`); in the thread, a reply `Q4: …` does the same",
    ),
    "close": (
        "/mle close <project> shipped|cancelled|paused [reason]",
        "end the project (owner or admin): check-ins stop, a short retrospective follows",
    ),
    "reopen": ("/mle reopen <project>", "undo a close: back to the stage it was in"),
    "stats": (
        "/mle stats [here|all]",
        "the team's failure profile as a chart (text for you): outcomes, failure reasons, "
        "days per stage, models with complete business metrics",
    ),
    "chart": ("/mle chart <model>", "the model's KPI over time, as a chart in its project thread"),
    "registry": (
        "/mle registry",
        "what the last MLflow registry sync saw: matched and unmatched models, problems",
    ),
    "unblock": (
        "/mle unblock <project> [note]",
        "clear the project's blocker (recorded with your note)",
    ),
    "brief": (
        "/mle brief <project> [<stage>]",
        "post the project's latest brief (or that stage's) in its thread again",
    ),
    "deploy": (
        "/mle deploy <project> <model> [<version>] [tier=<tier>]",
        "register a deployed model of a project (tier: customer-facing, "
        "business-critical, internal-assistive, internal-tooling)",
    ),
    "metric": (
        '/mle metric <model> "<name>" [<value>] [baseline=<n>] [target=<n>] '
        "[owner=@someone] [method=ab|holdout|pre_post] [window=<days>] [higher|lower]",
        "define the model's business KPI and/or report a value; numbers may carry their "
        'unit (`baseline=4.5% target=3,8%`, `$1.2M`); `/mle metric <model> "<name>" remove` '
        'removes a KPI; `name="<new name>"` renames it',
    ),
    "retire": ("/mle retire <model>", "the model is no longer deployed; reminders stop"),
    "digest": (
        "/mle digest <days> <HH:MM> [<IANA tz>]  |  off  |  now",
        "this channel's digest: what needs attention, every project and model",
    ),
    "delete": (
        "/mle delete <project>",
        "delete a project and everything under it, after you confirm (owner or admin)",
    ),
    "settings": (
        "/mle settings [grace=<days>] [reminder=<days>] [cadence=<days>] [window=<days>] "
        "[research=<days>] [missed=<hours>] [registry_channel=#channel|here|off]",
        "reminder settings, how late a missed post may go out, which digest lists unmatched "
        "MLflow models (admins change)",
    ),
    "help": ("/mle help", "this message"),
}


def usage_for(subcommand: str | None = None) -> str:
    if subcommand in LINES:
        syntax, what = LINES[subcommand]
        return f"Usage: `{syntax}` — {what}."
    return full_usage()


def full_usage() -> str:
    rows = "\n".join(f"• `{syntax}` — {what}" for syntax, what in LINES.values())
    return (
        "*MLE Coach* keeps ML projects on the process from _Machine Learning Engineering in "
        "Action_: a planning interview in a thread, then stage by stage.\n"
        f"Usage:\n{rows}\n"
        "In a project thread, reply to answer the pending question; start a reply with `//` "
        "to discuss without answering, reply `skip` to skip the question, or `Q4: …` to answer "
        "question 4 whenever you like."
    )
