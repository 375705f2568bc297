"""Pagination whose cost does not grow with the table (issue #13).

:class:`CappedPaginator` counts the matching rows only up to :data:`COUNT_CAP`: past it the page
says "more than 1,000" instead of counting a station's million records (an exact ``COUNT`` over
the access filter reads every row it counts; the capped one stops at the 1,001st, which the
first page's index scan has just walked past anyway). Pages stay reachable up to the cap; what
lies beyond is reached by narrowing the filter (or, on the records list, by the "older" link,
which starts a new list below the last row shown: keyset, no OFFSET).
"""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

#: Counts stop here: past it a list says "more than 1000".
COUNT_CAP = 1000


class CappedPaginator(Paginator):
    """A paginator whose ``count`` stops at ``cap`` (``capped`` says it did)."""

    cap = COUNT_CAP
    capped = False

    @cached_property
    def count(self) -> int:
        found = self.object_list.order_by()[: self.cap + 1].count()
        self.capped = found > self.cap
        return min(found, self.cap)
