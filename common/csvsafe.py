"""The one rule that keeps a CSV export's cells from running as spreadsheet formulas.

Every export (calls, campaign results, import errors) writes its cells through `csv_safe`.
A cell is neutralised with a leading apostrophe (OWASP) when a spreadsheet could read it
as a formula:

- it starts with `=`, `+`, `-` or `@`, after any leading whitespace (Excel and Sheets skip
  spaces before `=`), in any Unicode form that folds to them (full-width `＝＋－＠`, the
  small forms), unless it is a plain signed number such as an E.164 phone `+9198…`;
- it starts with a tab, CR or LF;
- a piece of it after a separator (`;` `,` tab, CR, LF) does: a spreadsheet that splits on
  `;` (the default in much of Europe) or ignores quotes reads `a;=1+1` as two cells, the
  second a formula, so each such piece gets its own apostrophe.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

_TRIGGERS = frozenset("=+-@")
_SEPARATOR = re.compile(r"([;,\t\r\n])")
_PLAIN_NUMBER = re.compile(r"[+-]?\d[\d ]*")


def csv_safe(value: Any) -> str:
    """`value` as a cell text no spreadsheet evaluates."""
    text = "" if value is None else str(value)
    if text[:1] in ("\t", "\r", "\n"):
        text = "'" + text
    pieces = _SEPARATOR.split(text)  # separators at the odd indexes
    return "".join(
        "'" + piece if index % 2 == 0 and _formula(piece) else piece
        for index, piece in enumerate(pieces)
    )


def csv_safe_row(row: Iterable[Any]) -> list[str]:
    return [csv_safe(value) for value in row]


def _formula(piece: str) -> bool:
    stripped = piece.lstrip()
    if not stripped:
        return False
    first = unicodedata.normalize("NFKC", stripped[0])[:1]
    if first not in _TRIGGERS:
        return False
    return not _PLAIN_NUMBER.fullmatch(stripped.rstrip())
