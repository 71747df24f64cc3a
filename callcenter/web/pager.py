"""The one pager: keyset pages (no OFFSET, no COUNT(*)) for every long list."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q


def keyset_page(qs, cursor: str | None, *, per_page: int = 50, field: str = "created_at") -> dict:
    """Page by (`field`, id) after `cursor`: no OFFSET, no COUNT(*), any table size.

    `field="id"` pages by the primary key alone (the cursor is the last id seen), for
    tables whose newest-first order is their id order.
    """
    cursor = cursor or ""
    if field == "id":
        return _id_page(qs, cursor, per_page)
    if cursor:
        try:
            stamp, pk = cursor.rsplit("_", 1)
            at = datetime.fromisoformat(stamp)
            qs = qs.filter(Q(**{f"{field}__lt": at}) | Q(**{field: at, "id__lt": int(pk)}))
        except ValueError:
            cursor = ""
    rows = list(qs.order_by(f"-{field}", "-id")[: per_page + 1])
    last = rows[per_page - 1] if len(rows) > per_page else None
    return {
        "rows": rows[:per_page],
        "next_cursor": f"{getattr(last, field).isoformat()}_{last.pk}" if last else "",
        "is_first": not cursor,
    }


def _id_page(qs, cursor: str, per_page: int) -> dict:
    if cursor.isdigit():
        qs = qs.filter(id__lt=int(cursor))
    else:
        cursor = ""
    rows = list(qs.order_by("-id")[: per_page + 1])
    return {
        "rows": rows[:per_page],
        "next_cursor": str(rows[per_page - 1].pk) if len(rows) > per_page else "",
        "is_first": not cursor,
    }
