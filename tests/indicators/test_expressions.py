"""Safe expressions: exact arithmetic over measure codes, "no data" as None, anything else refused by name."""

from fractions import Fraction

import pytest

from indicators.expressions import POPULATION, ExpressionError, compile_expression, names_in, validate_expression


def evaluate(text: str, **values):
    return compile_expression(text)(values)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a + b", Fraction(10)),
        ("a - b", Fraction(4)),
        ("a * b", Fraction(21)),
        ("a / b", Fraction(7, 3)),
        ("b / a", Fraction(3, 7)),
        ("(a + b) * 2", Fraction(20)),
        ("a + b * 2", Fraction(13)),
        ("100 * a / b", Fraction(700, 3)),
        ("0.1 * a", Fraction(7, 10)),  # exactly a tenth, not the nearest binary fraction
        ("-a + b", Fraction(-4)),
        ("+a", Fraction(7)),
        ("-(a - b)", Fraction(-4)),
        (" a ", Fraction(7)),
        ("12", Fraction(12)),
    ],
)
def test_arithmetic_is_exact(text, expected):
    result = evaluate(text, a=7, b=3)
    assert result == expected and isinstance(result, Fraction)


@pytest.mark.parametrize("text", ["a + b", "a - b", "a * b", "a / b", "b / a", "-b", "+b", "2 * (1 + b)"])
def test_a_name_without_a_value_makes_the_whole_expression_no_data(text):
    assert evaluate(text, a=7, b=None) is None
    assert evaluate(text, a=7) is None


@pytest.mark.parametrize("text", ["a / b", "a / (b - 3)", "1 / b", "-(a / b)", "a / b + 1"])
def test_division_by_zero_is_no_data(text):
    assert evaluate(text, a=7, b=0 if "3" not in text else 3) is None


def test_zero_is_a_value_not_no_data():
    assert evaluate("a + b", a=0, b=0) == 0
    assert evaluate("a * b", a=0, b=5) == 0
    assert evaluate("b / a", a=5, b=0) == 0


def test_values_may_be_fractions():
    assert evaluate("a * b", a=Fraction(1, 3), b=Fraction(3, 4)) == Fraction(1, 4)


@pytest.mark.parametrize(
    "text",
    [
        "a ** 2",
        "a % 2",
        "a // 2",
        "abs(a)",
        "a < b",
        "a if b else 1",
        "'a'",
        "True",
        "None",
        "a.b",
        "[a]",
        "a and b",
        "~a",
        "not a",
        "lambda: 1",
        "__import__('os')",
        "-(a ** 2)",
        "a ** 2 + b",
        "b + a ** 2",
    ],
)
def test_anything_but_numbers_names_and_the_four_operations_is_refused(text):
    with pytest.raises(ExpressionError) as refused:
        compile_expression(text)
    assert str(refused.value) == f"“{text}” may use only measure codes, numbers, + - * / and brackets."


@pytest.mark.parametrize("text", ["a +", "(a", "a b", "", "   ", "1 = 2"])
def test_bad_syntax_is_refused_with_the_text(text):
    with pytest.raises(ExpressionError) as refused:
        compile_expression(text)
    assert str(refused.value) == f"“{text}” is not a valid expression."


def test_names_in_lists_every_name_once():
    assert names_in("(a + b) / (a + population)") == frozenset({"a", "b", "population"})
    assert names_in("100") == frozenset()
    with pytest.raises(ExpressionError, match="is not a valid expression"):
        names_in("a +")
    with pytest.raises(ExpressionError, match="may use only"):
        names_in("a ** b")


def test_a_valid_expression_over_known_measures_passes():
    validate_expression("re_referrals / referrals", ["referrals", "re_referrals", "other"])
    validate_expression("10000 * cic / population", ["cic"])


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_an_empty_expression_is_refused(text):
    with pytest.raises(ExpressionError) as refused:
        validate_expression(text, ["a"])
    assert str(refused.value) == "The expression is empty."


def test_unknown_measure_codes_are_named_in_order():
    with pytest.raises(ExpressionError) as refused:
        validate_expression("zeta + alpha + known", ["known"])
    assert str(refused.value) == "Unknown measure code(s) in “zeta + alpha + known”: alpha, zeta."


def test_population_may_be_refused_where_only_measures_make_sense():
    validate_expression(f"a / {POPULATION}", ["a"], allow_population=True)
    with pytest.raises(ExpressionError) as refused:
        validate_expression(f"a / {POPULATION}", ["a"], allow_population=False)
    assert str(refused.value) == "This expression may use measure codes only, not population."
    validate_expression("a / b", ["a", "b"], allow_population=False)


def test_a_known_list_may_be_any_iterable_used_once():
    validate_expression("a + b", iter(["a", "b"]))
