"""Route tables in one shape: every provider's `api.py` names its endpoints with these.

A route is a plain (method, path, source) tuple, so a provider's table compares equal to
the same table its HTTP fake keeps (`tests/fakes/`), and `source` says whether the doc
gives the path ("doc") or it is our evident guess ("guess") for a real account to correct.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple
from urllib.parse import quote


class Route(NamedTuple):
    method: str
    path: str  # under the provider's base URL; `{name}` marks a path parameter
    source: str = "doc"  # "doc": the doc gives this path; "guess": ours

    def fill(self, **params: str) -> str:
        """The path with each `{name}` replaced by its value, quoted as one path segment
        (an id with a slash or a `?` cannot reach another endpoint)."""
        path = self.path
        for key, value in params.items():
            path = path.replace("{" + key + "}", quote(str(value), safe=""))
        return path

    def target(self, **params: str) -> tuple[str, str]:
        """(method, filled path): the first two arguments of every HttpClient request."""
        return self.method, self.fill(**params)

    def url(self, base_url: str, **params: str) -> str:
        """The full URL under `base_url` (a recording link handed back to the caller)."""
        return base_url.rstrip("/") + self.fill(**params)


def routes(table: Mapping[str, tuple[str, str, str]]) -> dict[str, Route]:
    """A provider's table, name -> (method, path, source), as Routes."""
    return {name: Route(*row) for name, row in table.items()}
