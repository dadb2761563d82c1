"""Field-level input checks shared by the services: each check records a message under the field's key and
returns the cleaned value, so one pass reports every problem at once (and nothing is written).

Limits come from the table columns themselves, so a form can never accept what the database would truncate.
Rules follow QuickBooks Online (names without ':' tab or newline, DocNumber <= 21, amounts <= 15 digits).
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from sqlmodel import SQLModel

from ..money import CENT, cents
from .errors import ValidationError

__all__ = ['Checker', 'column_limit', 'to_decimal', 'cents', 'CENT', 'MAX_AMOUNT', 'DecimalLike', 'DateLike']

MAX_AMOUNT = Decimal('9999999999.99')  # QuickBooks amounts: 15 digits, at most 10 before the point
NAME_FORBIDDEN = (':', '\t', '\n', '\r')  # QuickBooks rejects these in names (':' separates sub-customers/items)
# invisible characters that corrupt what a text shows: C0/C1 controls and DEL (line breaks and tabs stay allowed in
# free text), and the bidi embeddings, overrides and isolates that make "Acme<RLO>cod.exe" read as something else
_CONTROL = {*range(0x00, 0x20), 0x7f, *range(0x80, 0xa0)} - {0x09, 0x0a, 0x0d}
_BIDI = {*range(0x202a, 0x202f), *range(0x2066, 0x206a)}
FIRST_DATE = date(1900, 1, 1)  # QuickBooks' books start no earlier; anything outside is a typing slip
LAST_DATE = date(2099, 12, 31)
DecimalLike = Decimal | int | float | str
DateLike = date | datetime | str


def column_limit(model: type[SQLModel], name: str) -> int | None:
    """The declared max length of a string column."""
    column = model.__table__.c[name]  # type: ignore[attr-defined]
    return getattr(column.type, 'length', None)


def to_decimal(value: DecimalLike | None) -> Decimal:
    """Parse a form value; floats (from number inputs) go through their shortest repr, never binary expansion."""
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, bool) or value is None:
        raise InvalidOperation(value)
    elif isinstance(value, float):
        result = Decimal(repr(value))
    elif isinstance(value, int):
        result = Decimal(value)
    else:
        text = str(value).strip().replace(',', '').replace('$', '')
        result = Decimal(text)
    if not result.is_finite():
        raise InvalidOperation(value)
    return result


class Checker:
    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def fail(self, key: str, message: str) -> None:
        self.errors.setdefault(key, message)

    def done(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)

    def text(self, key: str, value: str | None, *, model: type[SQLModel], column: str | None = None,
             required: bool = False, name: bool = False) -> str:
        """Trimmed text within the column's length; ``name`` also applies QuickBooks' name character rule."""
        cleaned = (value or '').strip()
        limit = column_limit(model, column or key.rsplit('.', 1)[-1])
        if required and not cleaned:
            self.fail(key, 'Required')
        elif limit is not None and len(cleaned) > limit:
            self.fail(key, f'At most {limit} characters (this has {len(cleaned)})')
        elif name and any(ch in cleaned for ch in NAME_FORBIDDEN):
            self.fail(key, 'Must not contain a colon, tab or line break')
        elif (hidden := _hidden_character(cleaned)) is not None:
            self.fail(key, f'Must not contain invisible control characters (found U+{hidden:04X})')
        return cleaned

    def email(self, key: str, value: str | None, *, model: type[SQLModel], column: str | None = None) -> str:
        """Optional email; QuickBooks wants an '@' and a '.' after it."""
        cleaned = self.text(key, value, model=model, column=column)
        if cleaned and (cleaned.count('@') != 1 or '.' not in cleaned.split('@')[1] or ' ' in cleaned
                        or cleaned.startswith('@')):
            self.fail(key, 'Enter a valid email address, like name@example.com')
        return cleaned

    def choice(self, key: str, value: str | None, choices: tuple[str, ...]) -> str:
        if value not in choices:
            self.fail(key, f'Choose one of: {", ".join(choices)}')
        return value or ''

    def decimal(self, key: str, value: DecimalLike | None, *, places: int = 2, min_places: int = 2,
                minimum: Decimal | None = None, positive: bool = False) -> Decimal:
        """A number with at most ``places`` decimals, within QuickBooks' magnitude; 0 when invalid.

        Stored with at least ``min_places`` decimals: money '150.00', a unit price '12.345', a quantity '2.5'.
        """
        try:
            number = to_decimal(value)
        except (InvalidOperation, ValueError):
            self.fail(key, 'Enter a number')
            return Decimal('0')
        if abs(number) > MAX_AMOUNT:  # first: quantizing 1e309 would itself fail
            self.fail(key, f'At most {MAX_AMOUNT:,}')
            return Decimal('0')
        if number != number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):
            self.fail(key, f'At most {places} decimal places')
        elif positive and number <= 0:
            self.fail(key, 'Must be more than 0')
        elif minimum is not None and number < minimum:
            self.fail(key, f'Must be at least {minimum}')
        return _tidy(number, min_places)

    def date(self, key: str, value: DateLike | None, *, required: bool = True) -> date | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(key, 'Required')
            return None
        if isinstance(value, datetime):
            value = value.date()
        if not isinstance(value, date):
            try:
                value = date.fromisoformat(str(value).strip())
            except ValueError:
                self.fail(key, 'Enter a date as YYYY-MM-DD')
                return None
        if not FIRST_DATE <= value <= LAST_DATE:
            self.fail(key, f'Enter a date between {FIRST_DATE.isoformat()} and {LAST_DATE.isoformat()}')
            return None
        return value

    def reference(self, key: str, value: Any, known: dict[int, Any], *, label: str, required: bool = True) -> Any:
        """The referenced row from ``known`` (id -> row), or None with a message."""
        if value in (None, ''):
            if required:
                self.fail(key, f'Choose {"an" if label[0] in "aeiou" else "a"} {label}')
            return None
        row = known.get(value) if isinstance(value, int) else None
        if row is None:
            self.fail(key, f'This {label} does not exist')
        return row


def _hidden_character(text: str) -> int | None:
    """The code point of the first control or bidi-override character in ``text``, if any."""
    return next((ord(ch) for ch in text if ord(ch) in _CONTROL or ord(ch) in _BIDI), None)


def _tidy(number: Decimal, min_places: int) -> Decimal:
    """Drop needless trailing zeros but keep ``min_places`` decimals, and never an exponent or a negative zero."""
    number = number.normalize() + 0
    if number.as_tuple().exponent > -min_places:  # type: ignore[operator]
        number = number.quantize(Decimal(1).scaleb(-min_places))
    return number
