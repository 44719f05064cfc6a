"""User text reaches SQL only as parameters: every f-string in the repositories interpolates
nothing but a column list, placeholders, or the engine's locking clause."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "storage" / "repos"
# column lists built from the row dataclasses, and runs of "?" placeholders
ALLOWED = {
    "_COLS",
    "_ICOLS",
    "_ACOLS",
    "_NCOLS",
    "_SCOLS",
    "_DCOLS",
    "_MCOLS",
    "_KCOLS",
    "_VCOLS",
    "marks",
    "question_marks",
    "assignments",
    # fixed SQL (values as "?" placeholders): the outbox's claimed, own and unfinished states,
    # thread-order guard and its channel filter (storage/repos/schedules.py)
    "_IN_ORDER",
    "_OPEN",
    "_CLAIMED",
    "_MINE",
    "channel_clause",
}
# the connection's fixed locking clauses (" FOR UPDATE", " FOR UPDATE SKIP LOCKED" or "")
LOCKING = {"for_update", "skip_locked"}


def _allowed(value: ast.expr) -> bool:
    if isinstance(value, ast.Name):
        return value.id in ALLOWED
    return isinstance(value, ast.Attribute) and value.attr in LOCKING


def test_sql_f_strings_interpolate_only_column_lists() -> None:
    checked = 0
    for path in ROOT.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if not isinstance(node, ast.JoinedStr):
                continue
            literal = "".join(
                v.value
                for v in node.values
                if isinstance(v, ast.Constant) and isinstance(v.value, str)
            )
            if not any(
                word in literal.upper()
                for word in ("SELECT ", "INSERT ", "UPDATE ", "DELETE ", " WHERE ")
            ):
                continue
            for value in node.values:
                if isinstance(value, ast.FormattedValue):
                    assert _allowed(value.value), (
                        f"{path.name}:{node.lineno} interpolates {ast.unparse(value.value)}"
                    )
                    checked += 1
    assert checked >= 10
