"""Uploaded file names: kept as the client sent them, shown and sent in headers without hidden characters.

The record keeps the name as given (only what no database can store is replaced); every place that shows it
(pages, the audit trail) or sends it (Content-Disposition) goes through `display_filename`.
"""

from __future__ import annotations

import os
import re
import unicodedata

# Characters a database cannot store in text: NUL (PostgreSQL refuses it) and lone surrogates (not UTF-8).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# Unicode categories left out of a name that is shown or sent in a header: controls (Cc), format characters
# such as the bidi overrides U+202E and zero-width joiners (Cf), surrogates (Cs), line/paragraph separators.
_HIDDEN_CATEGORIES = {"Cc", "Cf", "Cs", "Zl", "Zp"}
FALLBACK_NAME = "berkas"


def kept_filename(filename: str | None) -> str:
    """The name the client gave, as recorded: its last path part, at most 255 characters.

    Kept as sent except for what no database can store: NUL and lone surrogates become U+FFFD.
    """
    base = os.path.basename((filename or "").replace("\\", "/"))[:255]
    return _UNSTORABLE.sub("\ufffd", base) or FALLBACK_NAME


def display_filename(name: str | None) -> str:
    """`name` safe to show and to send in a Content-Disposition header.

    Control, bidi and other invisible format characters are dropped (an RLO would make
    "gpj.exe" read as "exe.jpg"), runs of whitespace become one space; an empty result is "berkas".
    """
    visible = "".join(ch for ch in (name or "") if unicodedata.category(ch) not in _HIDDEN_CATEGORIES)
    return " ".join(visible.split()) or FALLBACK_NAME
