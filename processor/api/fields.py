"""Input fields the API shares: a comma-separated list of names, and an instant the database can hold."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

import marshmallow as ma

EARLIEST = dt.datetime(1, 1, 2, tzinfo=dt.UTC)
LATEST = dt.datetime(9999, 12, 30, tzinfo=dt.UTC)


class CommaSeparated(ma.fields.String):
    """Names from a fixed list, as `a,b` or as repeated `x=a&x=b` (or both); documented as one string.

    Declared as a string, so generated clients send one comma-separated value; the repeated form that
    clients built from an array declaration send is accepted too, rather than silently keeping the first.
    """

    is_multiple = True  # webargs hands over every occurrence of the parameter, not only the first

    def __init__(self, choices: Sequence[str], *, max_items: int | None = None, **kwargs):
        self.choices = tuple(choices)
        self.max_items = max_items or len(self.choices)
        alternatives = "|".join(re.escape(choice) for choice in self.choices)
        metadata = {"pattern": f"^({alternatives})(,({alternatives}))*$", **kwargs.pop("metadata", {})}
        if "example" not in metadata:
            metadata["example"] = ",".join(self.choices[:2])
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> list[str]:
        parts = value if isinstance(value, list | tuple) else [value]
        if not all(isinstance(part, str) for part in parts):
            raise ma.ValidationError("Give names separated by commas, such as email,first_name.")
        names = [name.strip() for part in parts for name in part.split(",") if name.strip()]
        if not names:
            raise ma.ValidationError(f"Name at least one of: {', '.join(self.choices)}.")
        unknown = [name for name in names if name not in self.choices]
        if unknown:
            raise ma.ValidationError(
                f"Unknown name{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}: "
                f"choose from {', '.join(self.choices)}."
            )
        names = list(dict.fromkeys(names))  # a name given twice is asked for once
        if len(names) > self.max_items:
            raise ma.ValidationError(f"Name at most {self.max_items} of them.")
        return names

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else ",".join(value)


class Instant(ma.fields.AwareDateTime):
    """An ISO 8601 date and time with an offset, within the years the database stores once turned to UTC."""

    def _deserialize(self, value, attr, data, **kwargs) -> dt.datetime:
        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            utc = moment.astimezone(dt.UTC)
        except OverflowError:
            utc = None
        if utc is None or not EARLIEST <= utc <= LATEST:
            raise ma.ValidationError(
                f"Give a date and time between {EARLIEST:%Y-%m-%d} and {LATEST:%Y-%m-%d} (UTC), "
                "such as 2026-11-30T09:00:00+01:00."
            )
        return utc
