"""Helpers for the files people download and open in a spreadsheet."""


def csv_cell(value) -> str:
    """A cell starting with = + - @ is a formula to a spreadsheet: text typed by applicants
    must never run as one on a manager's computer, so it is quoted."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
