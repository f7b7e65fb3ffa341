"""The statuses a file row of the library can have. No imports: the app compares with them
at start without loading the index (pyarrow, LanceDB)."""

OK = "ok"  # embedded with the active model's table written first, then this row: searchable
ERROR = "error"  # could not be read or embedded; the row's ``error`` says why; no vectors
OFFLINE = "offline"  # its library folder is unreachable (an unplugged drive): found, vectors kept
PENDING = "pending"  # embedded in this run, its commit still to come (the store writes it as OK)
STATUSES = (OK, ERROR, OFFLINE, PENDING)
