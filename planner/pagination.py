"""Offset pagination without a COUNT(*): one query of per_page + 1 rows tells if a next page exists."""

from dataclasses import dataclass

from flask import request

from planner.extensions import db

MAX_PAGE = 100_000


@dataclass
class Page:
    items: list
    number: int
    per_page: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def page_number(arg: str = "page") -> int:
    try:
        number = int(request.args.get(arg, 1))
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), MAX_PAGE)


def paginate(query, per_page: int = 50, number: int | None = None, scalars: bool = True) -> Page:
    number = number or page_number()
    result = db.session.execute(query.limit(per_page + 1).offset((number - 1) * per_page))
    rows = list(result.scalars() if scalars else result)
    return Page(items=rows[:per_page], number=number, per_page=per_page, has_next=len(rows) > per_page)
