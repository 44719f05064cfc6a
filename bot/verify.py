"""HTTP mode's front door: a request is verified as Slack's (signature and timestamp) before
anything reads its body, and a refused one is logged as one line — its length, a hash and the
reason — never its contents (a body holds the legacy verification token, a response_url that
can post to the channel, and what people typed)."""

from __future__ import annotations

import hashlib
import logging
import time

from slack_sdk.signature import SignatureVerifier

log = logging.getLogger(__name__)

MAX_AGE = 60 * 5  # Slack's own limit on a request's age


def refusal(secret: str, headers: dict[str, str], body: bytes, now: float | None = None) -> str:
    """Why this request is not Slack's, or "" when it is."""
    timestamp = headers.get("x-slack-request-timestamp", "")
    signature = headers.get("x-slack-signature", "")
    if not timestamp or not signature:
        return "no signature"
    if not timestamp.isdigit():
        return "malformed timestamp"
    moment = time.time() if now is None else now
    if abs(moment - int(timestamp)) > MAX_AGE:
        return "stale timestamp"
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return "body is not UTF-8"
    expected = SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=text)
    if not expected or not _same(expected, signature):
        return "bad signature"
    return ""


def _same(a: str, b: str) -> bool:
    import hmac

    return hmac.compare_digest(a.encode(), b.encode())


def log_refusal(reason: str, body: bytes, peer: str | None) -> None:
    digest = hashlib.sha256(body).hexdigest()[:16]
    log.warning(
        "refused a request to /slack/events: %s (%d bytes, sha256 %s, from %s)",
        reason,
        len(body),
        digest,
        peer or "?",
    )
