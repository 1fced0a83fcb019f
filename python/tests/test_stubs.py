"""Each module's stub (crates/NAME/NAME.pyi, what editors and type checkers read) says what the
module says: the same public names, the same parameters, and the same docstrings. The module's
docstrings, written in Rust, are the truth; a stub that has drifted is the one to fix.

pyo3 writes a function's signature at the head of its C docstring ("sum_array(arr, /)\\n--\\n\\n");
CPython moves it to ``__text_signature__``, so ``__doc__`` holds the text alone and compares
as it is, once both sides are cleaned as ``inspect.getdoc`` cleans them.

An object that is not a function (the ufunc ``array_ops.square``) is an annotated name in the
stub (``square: np.ufunc``), its docstring the string that follows it, as editors and Sphinx
read it. NumPy writes a ufunc's ``__doc__`` itself: its signature, a blank line, then the doc
the module gave; that doc is what the stub's docstring is compared with.
"""

import ast
import importlib
import inspect
import types
from pathlib import Path

import numpy as np
import pytest
from helpers import public_names

CRATES = Path(__file__).resolve().parents[2] / "crates"
STUBS = {path.stem: path for path in sorted(CRATES.glob("*/*.pyi"))}

# How ast names each kind of parameter, as inspect names it.
KINDS = {
    "posonlyargs": inspect.Parameter.POSITIONAL_ONLY,
    "args": inspect.Parameter.POSITIONAL_OR_KEYWORD,
    "vararg": inspect.Parameter.VAR_POSITIONAL,
    "kwonlyargs": inspect.Parameter.KEYWORD_ONLY,
    "kwarg": inspect.Parameter.VAR_KEYWORD,
}


def stub_tree(name: str) -> ast.Module:
    return ast.parse(STUBS[name].read_text(), filename=str(STUBS[name]))


def stub_functions(name: str) -> dict[str, ast.FunctionDef]:
    return {node.name: node for node in stub_tree(name).body if isinstance(node, ast.FunctionDef)}


def stub_public_names(name: str) -> set[str]:
    """What the stub defines at its top level (functions, classes, constants), imports aside."""
    names = set()
    for node in stub_tree(name).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {target.id for target in targets if isinstance(target, ast.Name)}
    return {name for name in names if not name.startswith("_")}


def stub_objects(name: str) -> dict[str, tuple[str, str | None]]:
    """The stub's public annotated names (``square: np.ufunc``): each one's annotation, and the
    docstring that follows it (a string statement), or None."""
    body = stub_tree(name).body
    objects = {}
    for node, following in zip(body, body[1:] + [None], strict=True):
        if not (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)):
            continue
        if node.target.id.startswith("_"):
            continue
        doc = None
        if (
            isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
            and isinstance(following.value.value, str)
        ):
            doc = inspect.cleandoc(following.value.value)
        objects[node.target.id] = (ast.unparse(node.annotation), doc)
    return objects


def stub_parameters(function: ast.FunctionDef) -> list[tuple]:
    """The stub function's parameters in order, with their kinds, as ``inspect`` lists them."""
    parameters = []
    for field, kind in KINDS.items():
        value = getattr(function.args, field)  # a list, or for *args and **kwargs one or None
        for argument in value if isinstance(value, list) else filter(None, [value]):
            parameters.append((argument.arg, kind))
    return parameters


def extension(name: str) -> types.ModuleType:
    """The compiled module itself: maturin installs it as NAME.NAME inside a package NAME that
    re-exports its names and its docstring."""
    return importlib.import_module(f"{name}.{name}")


# Every function of every stub, as (module, function).
FUNCTIONS = [(name, function) for name in STUBS for function in stub_functions(name)]
# Every annotated object of every stub, as (module, object).
OBJECTS = [(name, obj) for name in STUBS for obj in stub_objects(name)]


def test_every_module_has_a_stub():
    # A crate with a pyproject.toml is a Python module (the Makefile's rule too).
    modules = sorted(path.parent.name for path in CRATES.glob("*/pyproject.toml"))
    assert sorted(STUBS) == modules
    assert "fast_operations" in modules


@pytest.mark.parametrize("name", STUBS)
def test_stub_defines_the_modules_public_names(name):
    assert stub_public_names(name) == public_names(importlib.import_module(name))


@pytest.mark.parametrize("name", STUBS)
def test_stub_module_docstring_is_the_modules(name):
    stub_doc = ast.get_docstring(stub_tree(name))
    assert stub_doc is not None, f"{STUBS[name]} has no module docstring"
    assert stub_doc == inspect.cleandoc(extension(name).__doc__)


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(
            name,
            marks=pytest.mark.xfail(
                name == "parallel_sum",
                strict=True,
                reason="maturin's __init__.py runs `from .parallel_sum import *`, which rebinds "
                "the name parallel_sum to the function, then copies that name's __doc__",
            ),
        )
        for name in STUBS
    ],
)
def test_the_package_a_user_imports_shows_the_modules_docstring(name):
    assert importlib.import_module(name).__doc__ == extension(name).__doc__


@pytest.mark.parametrize("name, function", FUNCTIONS)
def test_stub_function_docstring_is_the_functions(name, function):
    runtime = getattr(importlib.import_module(name), function)
    assert not runtime.__doc__.startswith(f"{function}("), "the text signature was left in"
    stub_doc = ast.get_docstring(stub_functions(name)[function])
    assert stub_doc is not None, f"{function} in {STUBS[name]} has no docstring"
    assert stub_doc == inspect.getdoc(runtime)


@pytest.mark.parametrize("name, function", FUNCTIONS)
def test_stub_function_takes_the_functions_parameters(name, function):
    runtime = inspect.signature(getattr(importlib.import_module(name), function))
    in_stub = stub_parameters(stub_functions(name)[function])
    assert in_stub == [(p.name, p.kind) for p in runtime.parameters.values()]


def test_the_ufunc_is_in_its_stub():
    # The tests below are parametrized over what the stubs declare: they must not be vacuous.
    assert ("array_ops", "square") in OBJECTS


@pytest.mark.parametrize("name, obj", OBJECTS)
def test_stub_annotation_is_the_objects_type(name, obj):
    annotation, _ = stub_objects(name)[obj]
    runtime = getattr(importlib.import_module(name), obj)
    assert isinstance(runtime, eval(annotation, {"np": np}))


@pytest.mark.parametrize("name, obj", OBJECTS)
def test_stub_ufunc_docstring_is_the_ufuncs(name, obj):
    runtime = getattr(importlib.import_module(name), obj)
    assert isinstance(runtime, np.ufunc), "only ufuncs are declared by annotation so far"
    _, stub_doc = stub_objects(name)[obj]
    assert stub_doc is not None, f"{obj} in {STUBS[name]} has no docstring"
    signature, doc = runtime.__doc__.split("\n\n", 1)
    assert signature.startswith(f"{obj}(x, /, out=None, *, where=True"), signature
    assert inspect.cleandoc(doc) == stub_doc
