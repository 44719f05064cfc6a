"""Split command text into words, honouring straight and typographic quotes."""

from __future__ import annotations

_QUOTES = {'"': '"', "'": "'", "\u201c": "\u201d", "\u2018": "\u2019", "\u201e": "\u201c"}


class TokenError(ValueError):
    pass


def split_words(text: str) -> list[str]:
    """Words separated by white space; a quoted run (also after `key=`) is one word. Never
    raises on odd text
    except for an unclosed quote, which is reported as TokenError."""
    return [word for word, _ in split_quoted(text)]


def split_quoted(text: str) -> list[tuple[str, bool]]:
    """`split_words`, each word with whether it was written in quotes (`"monthly churn"`):
    a quoted name ends at its quote."""
    words: list[tuple[str, bool]] = []
    current: list[str] = []
    in_word = quoted = False
    i = 0
    while i < len(text):
        ch = text[i]
        if ch.isspace():
            if in_word:
                words.append(("".join(current), quoted))
                current, in_word, quoted = [], False, False
            i += 1
            continue
        if ch in _QUOTES and (not in_word or current[-1:] == ["="]):  # `"a b"`, `name="a b"`
            close = _QUOTES[ch]
            end = text.find(close, i + 1)
            if end == -1 and close != ch:
                end = text.find(ch, i + 1)
            if end == -1:
                raise TokenError(f"the quote {ch} is never closed")
            quoted = quoted or not in_word
            current.append(text[i + 1 : end])
            in_word = True
            i = end + 1
            continue
        current.append(ch)
        in_word = True
        i += 1
    if in_word:
        words.append(("".join(current), quoted))
    return words
