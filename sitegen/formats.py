"""Vietnamese dates, numbers and sizes, from Babel's `vi` locale data.

Babel is imported on first use, not with this module: a build with nothing to render never needs it."""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache

LOCALE = "vi"


_LONG = {3: "'ngày' dd 'tháng' M 'năm' y", 2: "'tháng' M 'năm' y", 1: "'năm' y"}
_SHORT = {3: "dd/M/y", 2: "M/y", 1: "y"}


def _precision(day) -> tuple[dt.date, int]:
    """A date and how many of its parts are known (3, or 2/1 for a partial `Day`)."""
    if isinstance(day, dt.date):
        return day, 3
    return day.date, 1 + bool(day.month) + bool(day.day)


@lru_cache(maxsize=1)
def _locale():
    """Babel's `vi` locale, parsed once (Babel parses a locale name again on every call)."""
    from babel import Locale

    return Locale.parse(LOCALE)


def prepare() -> None:
    """Import Babel and read its `vi` data now, before pages are rendered in forked workers: each
    would otherwise do it again (about 7 ms and 4 MB a worker, at every chunk of pages)."""
    day = dt.date(2000, 1, 1)
    long_date.__wrapped__(day), short_date.__wrapped__(day), _symbols(), file_size(2048)


@lru_cache(maxsize=8192)
def long_date(day) -> str:
    """'ngày 07 tháng 4 năm 2021' ('tháng 4 năm 2021', 'năm 2020' when partly known)."""
    from babel.dates import format_date

    value, known = _precision(day)
    return format_date(value, _LONG[known], locale=_locale())


@lru_cache(maxsize=8192)
def short_date(day) -> str:
    """'07/4/2021' ('4/2021', '2020' when partly known)."""
    from babel.dates import format_date

    value, known = _precision(day)
    return format_date(value, _SHORT[known], locale=_locale())


@lru_cache(maxsize=1)
def _symbols() -> tuple[str, str]:
    from babel.numbers import get_decimal_symbol, get_group_symbol

    return get_decimal_symbol(LOCALE), get_group_symbol(LOCALE)


@lru_cache(maxsize=8192)
def number(value: Decimal | int | float) -> str:
    """'1.234,5': Babel's `vi` symbols, pattern #,##0.### (Babel's own formatter is ~50x slower)."""
    quantized = Decimal(str(value)).quantize(Decimal("0.001"), rounding=ROUND_HALF_EVEN)
    sign = "-" if quantized < 0 else ""
    whole, _, fraction = f"{abs(quantized):f}".partition(".")
    fraction = fraction.rstrip("0")
    decimal_symbol, group_symbol = _symbols()
    grouped = f"{int(whole):,}".replace(",", group_symbol)
    return sign + grouped + (decimal_symbol + fraction if fraction else "")


def plain_number(value: Decimal | int | float) -> str:
    """The value for a machine to read ('94', '12.5', '-0.25'), however it was written (94.0 is 94:
    equal values, which the model does not tell apart, give the same text)."""
    text = f"{Decimal(str(value)).normalize():f}"
    return "0" if text in ("-0", "0") else text


def file_size(size: int) -> str:
    """'12,3 KB', '1,2 MB'."""
    from babel.numbers import format_decimal

    units = ["byte", "KB", "MB", "GB"]
    value = float(size)
    for unit in units:
        if value < 1024 or unit == units[-1]:
            if unit == "byte":
                return f"{number(int(value))} byte"
            return f"{format_decimal(value, format='#,##0.#', locale=_locale())} {unit}"
        value /= 1024
    raise AssertionError("unreachable")
