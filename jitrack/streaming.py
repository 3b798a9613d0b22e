"""Downloads written while they are sent: CSV and JSON made from an iterable of rows (mappings)
and handed piece by piece to a ``StreamingHttpResponse``. A download holds one row (JSON: one
chunk of rows) in memory whatever its length, as long as the rows come from a generator or
``QuerySet.iterator()``.

Values: ``None`` is an empty CSV cell (JSON ``null``), a boolean ``true`` or ``false``, a
datetime an instant in UTC with a Z (``2011-06-01T12:00:00Z``), a date ``YYYY-MM-DD``; in CSV
the values of a list are joined by ``"; "`` and the pairs of a mapping written ``key:value`` and
joined the same way. Texts must be strings already: the body is written after the view has
returned, outside any ``translation.override`` it ran in, so a lazy translation would come out
in the visitor's language.

Every CSV the product writes goes through ``csv_value`` (``csv_lines`` here, the import format's
``registry.importer.to_csv``): a text cell a spreadsheet would run as a formula gets a quote in
front (``csv_text``); numbers stay numbers. ``csv_text_read`` takes that quote off again.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal

from django.http import StreamingHttpResponse

LIST_SEPARATOR = "; "
JSON_ROWS_PER_CHUNK = 100
CSV_TYPE = "text/csv; charset=utf-8"
JSON_TYPE = "application/json; charset=utf-8"


def utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def json_value(value):
    if isinstance(value, datetime):
        return utc(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


# OWASP "CSV Injection": a spreadsheet runs a cell that starts with one of these as a formula
# (=HYPERLINK(...), @SUM(...), a DDE call). Quotes already in front are counted, so that the
# quote added is always the one ``csv_text_read`` removes.
_FORMULA = re.compile(r"'*[=+\-@\t\r]")
_ADDED_QUOTE = re.compile(r"'+[=+\-@\t\r]")
_PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")  # e.g. an amount written as text: no formula


def csv_text(text: str) -> str:
    """``text`` as a cell a spreadsheet shows as it is: ``'`` in front of a would-be formula."""
    if _FORMULA.match(text) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_text_read(cell: str) -> str:
    """The text of a cell ``csv_text`` wrote (an importer reading an export back)."""
    return cell[1:] if _ADDED_QUOTE.match(cell) else cell


def csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return json_value(value)
    if isinstance(value, int | float | Decimal):
        return str(value)  # a number, negative or not, stays a number
    if isinstance(value, Mapping):
        text = LIST_SEPARATOR.join(f"{k}:{v}" for k, v in value.items())
    elif isinstance(value, list | tuple):
        text = LIST_SEPARATOR.join(str(v) for v in value)
    else:
        text = str(value)
    return csv_text(text)


class _Echo:
    """A pseudo-buffer for ``csv.writer``: ``write`` returns the line instead of storing it."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: Sequence[str], rows: Iterable[Mapping]) -> Iterator[str]:
    """The header line, then a line per row with its values in the header's order."""
    writer = csv.writer(_Echo())
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow([csv_value(row[name]) for name in header])


def json_chunks(
    head: Mapping, rows: Iterable[Mapping], *, per_chunk: int = JSON_ROWS_PER_CHUNK
) -> Iterator[str]:
    """``{…head, "rows": [ … ]}``, written ``per_chunk`` rows at a time."""
    opening = json.dumps(head, ensure_ascii=False)[:-1]
    yield f'{opening}, "rows": [' if head else '{"rows": ['
    batch: list[str] = []
    first = True
    for row in rows:
        batch.append(json.dumps({k: json_value(v) for k, v in row.items()}, ensure_ascii=False))
        if len(batch) == per_chunk:
            yield ("\n" if first else ",\n") + ",\n".join(batch)
            first, batch = False, []
    if batch:
        yield ("\n" if first else ",\n") + ",\n".join(batch)
    yield "\n]}\n"


def csv_response(
    header: Sequence[str], rows: Iterable[Mapping], filename: str
) -> StreamingHttpResponse:
    """The rows as a streamed CSV attachment named ``filename``."""
    response = StreamingHttpResponse(csv_lines(header, rows), content_type=CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def json_response(head: Mapping, rows: Iterable[Mapping]) -> StreamingHttpResponse:
    """``head`` and the rows as one streamed JSON document."""
    return StreamingHttpResponse(json_chunks(head, rows), content_type=JSON_TYPE)
