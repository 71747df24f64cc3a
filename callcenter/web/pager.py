"""The one pager: keyset pages (no OFFSET, no COUNT(*)) for every long list."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q


def keyset_page(qs, cursor: str, *, per_page: int = 50, field: str = "created_at") -> dict:
    """Page by (`field`, id) after `cursor`: no OFFSET, no COUNT(*), any table size."""
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
