"""The README's "Use it in your own code" examples run, and print what their comments say.

A line ``expression  # value: words`` must evaluate to ``value`` (an ``array(...)`` by its repr,
anything else by ==, so that NumPy's scalars match the plain values they print as); a line
followed by ``# SomeError: message`` must raise that error with that message. Other lines just
run. All blocks share one namespace, in order, as a reader pasting them would.
"""

import ast
import builtins
import re
from pathlib import Path

import pytest

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def examples() -> list[str]:
    """The ```python blocks of the README's "Use it in your own code" section."""
    section = README.split("## Use it in your own code", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def expected_value(comment: str) -> str | None:
    """The repr a comment promises (before its first ': ' or '; '), if it reads as a value."""
    value = re.split(r": |; ", comment, maxsplit=1)[0].strip()
    try:
        ast.literal_eval(value.replace("array(", "(").replace("])", "]"))
    except (ValueError, SyntaxError):
        return None
    return value


def test_the_section_has_an_example_for_each_module():
    code = "\n".join(examples())
    for module in ["fast_operations", "parallel_sum", "math_functions", "array_ops", "dask"]:
        assert f"import {module}" in code or f"from {module} import" in code, module


def test_the_examples_print_what_their_comments_say():
    pytest.importorskip("dask.array")
    namespace: dict = {}
    checked = 0
    for block in examples():
        lines = block.splitlines()
        for line, following in zip(lines, [*lines[1:], ""], strict=True):
            if not line.strip() or line.startswith("#"):
                continue
            code, _, comment = line.partition("  # ")
            error = re.fullmatch(r"# (\w+Error): (.*)", following.strip())
            if error:
                with pytest.raises(getattr(builtins, error[1])) as raised:
                    exec(code, namespace)
                assert str(raised.value) == error[2], line
                checked += 1
                continue
            value = expected_value(comment) if comment else None
            if value is None:
                exec(code, namespace)
                continue
            got = eval(code, namespace)
            if value.startswith("array("):
                assert re.sub(r"\s+", " ", repr(got)) == re.sub(r"\s+", " ", value), line
            else:
                assert got == ast.literal_eval(value), line
            checked += 1
    assert checked >= 12, "the examples' comments no longer promise values"
