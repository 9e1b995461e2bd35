# ruff: noqa: RUF001 - the transliteration table maps Cyrillic and Greek letters on purpose
"""The text of a door's event object: DPT 16.000 carries 14 ASCII characters, so it is composed
for them: the method first (`PIN`, `REMOTE UNLOCK`, `AUTO LOCK`), then as much of the grant's or
user's name as fits, never the code. Names are transliterated to ASCII (`Zoë` -> `Zoe`,
`Øystein` -> `Oystein`, `Дмитрий` -> `Dmitrij`), never replaced by `?`.
"""

from __future__ import annotations

import re
import unicodedata

from ttlock_bridge.access.passcode_tag import human_part
from ttlock_bridge.channels.knx.dpt import TEXT_LENGTH

# Letters NFKD does not decompose into ASCII, and the Cyrillic and Greek alphabets
# (ISO 9-like readings kept to plain ASCII; ETSI/ELOT 743-like for Greek).
_LETTERS = {
    "ß": "ss", "ẞ": "SS", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE",
    "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "TH",
    "ı": "i", "ħ": "h", "Ħ": "H", "ŋ": "ng", "Ŋ": "NG", "ĸ": "k",
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "j", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya", "є": "ye",
    "і": "i", "ї": "yi", "ґ": "g", "ђ": "dj", "ј": "j", "љ": "lj", "њ": "nj", "ћ": "c",
    "џ": "dz", "ў": "u",
    "α": "a", "β": "v", "γ": "g", "δ": "d", "ε": "e", "ζ": "z", "η": "i", "θ": "th",
    "ι": "i", "κ": "k", "λ": "l", "μ": "m", "ν": "n", "ξ": "x", "ο": "o", "π": "p", "ρ": "r",
    "σ": "s", "ς": "s", "τ": "t", "υ": "y", "φ": "f", "χ": "ch", "ψ": "ps", "ω": "o",
}  # fmt: skip
_LETTERS |= {
    lower.upper(): ascii_text.capitalize()
    for lower, ascii_text in list(_LETTERS.items())
    if lower.islower() and lower.upper() != lower and lower.upper() not in _LETTERS
}
_DAY_LABEL = re.compile(r"^\d{2}(?:/\d{2})?(?:-\d{2}/\d{2})?$")


def to_ascii(text: str) -> str:
    """`Müller-Straße` -> `Muller-Strasse`, `Łukasz` -> `Lukasz`; what has no Latin reading
    here (e.g. Chinese) is left out rather than shown as `?`. Whitespace is collapsed."""
    out = []
    for char in text:
        for part in (char,) if char in _LETTERS else unicodedata.normalize("NFKD", char):
            if part in _LETTERS:
                out.append(_LETTERS[part])
            elif part.isascii() and part.isprintable():
                out.append(part)
            elif unicodedata.category(part).startswith("Z"):
                out.append(" ")
    return " ".join("".join(out).split())


def event_text(method: str | None, who: str | None, fallback: str | None) -> str | None:
    """`PIN`, `Smith 23-25/11 #tb-7K2QF9` -> `PIN Smith`; at most 14 ASCII characters.

    The name loses our tag and, when it has other words, the stay's day label; a name with no
    Latin reading keeps the day label, so the stay is still recognisable. Without a method,
    the long `fallback` text is transliterated and cut.
    """
    if method is None:
        return to_ascii(fallback)[:TEXT_LENGTH] if fallback else None
    text = to_ascii(method)
    words = to_ascii(human_part(who or "")).split()
    if len(words) > 1 and _DAY_LABEL.match(words[-1]):
        words.pop()
    if not words and who:  # e.g. `李 23-25/11`: the day label is all that reads
        words = [word for word in human_part(who).split() if _DAY_LABEL.match(word)]
    name = " ".join(words)
    if name:
        text = f"{text} {name}"
    return text[:TEXT_LENGTH].rstrip()
