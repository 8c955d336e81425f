"""The contract's numbers, in one place: the code enforces them and the DPA is rendered from them.

Seed 004, "Erasure of Processed Data": held no less than 60 days (free test account) or 90 days (paid account)
after removal, then erased; the participant database is returned at a request made within 7 days of erasure.
Seed 004, "User Access and Choice": access requests are answered within 30 days (GDPR Art 12(3): one month,
extendable by two further months where necessary).
"""

from __future__ import annotations

HOLD_DAYS = {"free": 60, "paid": 90}
RETURN_WINDOW_DAYS = 7
SUBJECT_REQUEST_DAYS = 30
SUBJECT_REQUEST_EXTENSION_MONTHS = 2
