"""The package: the typed stub of the compiled module is current, py.typed
ships, every public object has a docstring, and the package re-exports the
module."""

import ast
import inspect
from importlib import resources
from pathlib import Path

import pytest

import bluezone
from bluezone import _native

STUB = Path(bluezone.__file__).with_name("_native.pyi")


def test_the_package_is_typed():
    assert resources.files("bluezone").joinpath("py.typed").is_file()
    assert resources.files("bluezone").joinpath("_native.pyi").is_file()


def stub_tree():
    return ast.parse(STUB.read_text())


def stub_names():
    """The names that the stub defines at its top level, but its private
    type aliases (_Bytes, …) and imports."""
    names = {}
    for node in stub_tree().body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names[node.name] = node
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names[node.target.id] = node
    return names


def runtime_names():
    return {
        name
        for name in dir(_native)
        if not (name.startswith("__") and name.endswith("__")) or name == "__version__"
    }


def test_the_stub_names_what_the_module_exports():
    assert set(stub_names()) == runtime_names()


def test_the_package_re_exports_the_module():
    public = {name for name in runtime_names() if not name.startswith("_")} | {"__version__"}
    assert set(bluezone.__all__) == public
    for name in public:
        assert getattr(bluezone, name) is getattr(_native, name)
    assert bluezone.__version__ == "0.1.0" or bluezone.__version__.count(".") == 2


def parameters(node: ast.FunctionDef, drop_first: bool):
    """(name, kind, default) of a stub function's parameters."""
    args = node.args
    positional = args.posonlyargs + args.args
    defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    out = []
    for arg, default in zip(positional, defaults):
        out.append((arg.arg, "POSITIONAL_OR_KEYWORD", None if default is None else ast.literal_eval(default)))
    for arg, default in zip(args.kwonlyargs, args.kw_defaults):
        out.append((arg.arg, "KEYWORD_ONLY", None if default is None else ast.literal_eval(default)))
    return out[1:] if drop_first else out


def runtime_parameters(function):
    out = []
    for parameter in inspect.signature(function).parameters.values():
        default = None if parameter.default is inspect.Parameter.empty else parameter.default
        out.append((parameter.name, parameter.kind.name, default))
    return out


def test_function_signatures_match():
    for name, node in stub_names().items():
        if isinstance(node, ast.FunctionDef):
            assert parameters(node, False) == runtime_parameters(getattr(_native, name)), name


def class_members(node: ast.ClassDef):
    members = {}
    for item in node.body:
        if isinstance(item, ast.FunctionDef):
            decorators = {d.id for d in item.decorator_list if isinstance(d, ast.Name)}
            members[item.name] = (item, decorators)
    return members


@pytest.mark.parametrize("name", ["EncounterLog", "PublishedKeys", "Matches"])
def test_class_members_match(name):
    node = stub_names()[name]
    cls = getattr(_native, name)
    members = class_members(node)
    runtime = {
        member
        for member in vars(cls)
        if not member.startswith("_") or member in ("__len__",)
    }
    assert set(members) - {"__init__"} == runtime
    for member, (function, decorators) in members.items():
        if member == "__init__":
            assert parameters(function, True) == runtime_parameters(cls), name
            continue
        raw = inspect.getattr_static(cls, member)
        if "property" in decorators:
            assert inspect.isgetsetdescriptor(raw) or isinstance(raw, property), member
        elif "classmethod" in decorators:
            assert isinstance(raw, classmethod) or inspect.ismethoddescriptor(raw) or inspect.isbuiltin(getattr(cls, member)), member
            assert getattr(cls, member).__self__ is cls, member
            assert parameters(function, True) == runtime_parameters(getattr(cls, member)), member
        elif member != "__len__":
            runtime = runtime_parameters(getattr(cls, member))
            assert runtime[0][0] == "self", member
            assert parameters(function, True) == runtime[1:], member


def test_every_public_object_has_a_docstring():
    assert _native.__doc__
    assert bluezone.__doc__
    for name in runtime_names():
        value = getattr(_native, name)
        if callable(value):
            assert (value.__doc__ or "").strip(), name
        if inspect.isclass(value) and not issubclass(value, BaseException):
            for member, attribute in vars(value).items():
                if not member.startswith("_"):
                    assert (attribute.__doc__ or "").strip(), f"{name}.{member}"
