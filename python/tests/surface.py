"""Checks of a module's Python surface shared by every section's tests."""

import doctest
import importlib.resources
import types


def assert_docstring_example_runs(function) -> None:
    """The function has a docstring whose example runs and gives the shown result."""
    assert function.__doc__, f"{function.__name__} has no docstring"
    (test,) = doctest.DocTestFinder().find(
        function.__doc__, function.__name__, globs={function.__name__: function}
    )
    assert test.examples, f"{function.__name__}'s docstring shows no example"
    assert doctest.DocTestRunner().run(test).failed == 0


def assert_ships_stub(module: types.ModuleType, functions: set[str]) -> None:
    """The package ships py.typed and a stub declaring exactly its public functions."""
    package = importlib.resources.files(module.__name__)
    assert package.joinpath("py.typed").is_file()
    stub = package.joinpath("__init__.pyi").read_text()
    public = {
        name
        for name in dir(module)
        if not name.startswith("_") and not isinstance(getattr(module, name), types.ModuleType)
    }
    assert public == functions
    for name in public:
        assert f"def {name}(" in stub
