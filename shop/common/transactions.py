"""One transaction per service call, and no savepoint for each service that joins it.

STYLE §2.5: the outermost service owns `transaction.atomic()` and the services of other
apps it calls join it. Joining with a plain `atomic()` costs a SAVEPOINT and a RELEASE
each (8 of the pay transaction's statements), yet nothing between the outer service and
a joined one catches the joined one's errors: any error rolls the whole service back.
So the outer service opens `service_transaction()`, and joined services open `joined()`,
which adds no savepoint inside it. Called on their own (a script, a test, an admin
action) joined services keep their savepoint, so a caller that catches their error can
go on. A joined service whose refusal the caller survives (checkout keeps the failed
order when catalogue refuses a short item) raises it after leaving its block, before
any write, since an error leaving a block without a savepoint dooms the transaction;
otherwise the caller wraps that call in its own explicit `atomic()`.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction

_in_service = ContextVar("in_service_transaction", default=False)


@contextmanager
def service_transaction() -> Iterator[None]:
    """The outermost service's transaction (a savepoint when a test or caller nests it)."""
    with transaction.atomic():
        token = _in_service.set(True)
        try:
            yield
        finally:
            _in_service.reset(token)


def joined():
    """atomic() for a service that joins its caller's transaction: no savepoint inside a
    service_transaction, an ordinary atomic block anywhere else."""
    return transaction.atomic(savepoint=not _in_service.get())
