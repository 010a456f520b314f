"""Operator intake: the line registry, call detail records and payments, from CSV files.

Each import checks the whole file first and lists every bad row; only a clean
file is written, in one transaction, so a file is imported entirely or not at
all. The operator's record id is the key: importing a file again adds nothing.
"""
from .calls import import_calls
from .lines import import_lines
from .payments import import_payments
from .source import ImportRefused, Problem, text_source
from .writer import ImportResult

__all__ = ["ImportRefused", "ImportResult", "Problem", "import_calls", "import_lines",
           "import_payments", "text_source"]
