"""The shared helpers for messages: quoting a value shortened, naming a column by its letters."""

import pytest

from lib.cells import column_letter
from lib.text import shorten


@pytest.mark.parametrize(
    ("text", "shown"),
    [("", ""), ("abcde", "abcde"), ("abcdef", "abcde…"), ("abcdefghij", "abcde…")],
)
def test_text_longer_than_the_limit_is_cut_there_with_an_ellipsis(text, shown):
    assert shorten(text, 5) == shown


@pytest.mark.parametrize(("index", "letters"), [(0, "A"), (25, "Z"), (26, "AA"), (701, "ZZ"), (702, "AAA")])
def test_columns_are_named_by_their_letters(index, letters):
    assert column_letter(index) == letters
