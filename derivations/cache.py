"""A persistent cache of symbolic results (proofs, derived expressions) in the user's cache directory.

A result is stored under a key that covers everything it depends on: the
SymPy, mpmath and Python versions, a digest of the source files that produced
it (``sources``), the function's name, and each argument -- a SymPy argument
by its ``srepr`` plus a manifest of the classes in it (an undefined function's
assumptions, which ``srepr`` omits; the source digest of any class defined
outside SymPy, whose methods can change what SymPy does with it).  An argument
the key cannot describe (anything but SymPy objects, numbers, strings, None and
tuples of them), global SymPy assumptions or ``evaluate(False)`` bypass the
cache, so a cached "proved" is exactly as trustworthy as a fresh one.  A source
change gives new keys: old entries are never read again.

Where: ``platformdirs.user_cache_dir("mlp-derivations")``, or the directory
named by ``MLP_DERIVATIONS_CACHE_DIR`` (tests point it at a temporary one).
``MLP_DERIVATIONS_NO_CACHE=1``, :func:`disabled` or ``mlp-derivations verify
--no-cache`` bypass it (nothing read, nothing written).  Writers write a
temporary file in the entry's directory and ``os.replace`` it, so a reader
sees a whole entry or none, with any number of concurrent processes; an entry
that does not unpickle, or whose stored key differs, counts as a miss.  Only
this user's own cache directory is read (the entries are pickles).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib
import inspect
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

__all__ = [
    "ENV_DIR",
    "ENV_OFF",
    "cached",
    "cached_expression",
    "directory",
    "disabled",
    "enabled",
    "expression_key",
    "set_enabled",
    "source_digest",
]

#: Environment variable naming the cache directory (default: the platform's user cache directory).
ENV_DIR = "MLP_DERIVATIONS_CACHE_DIR"
#: Environment variable that bypasses the cache when set to anything but "", "0".
ENV_OFF = "MLP_DERIVATIONS_NO_CACHE"
#: Layout version of the entries: bump it when the file format changes.
FORMAT = 1

_MAGIC = b"mlp-derivations-cache"
_override: bool | None = None  # set_enabled / disabled(): wins over the environment


def directory() -> Path:
    """The cache directory: ``$MLP_DERIVATIONS_CACHE_DIR`` or the platform's user cache directory."""
    named = os.environ.get(ENV_DIR)
    if named:
        return Path(named)
    import platformdirs  # lazy: only a cache lookup needs it

    return Path(platformdirs.user_cache_dir("mlp-derivations"))


def enabled() -> bool:
    """True unless :func:`set_enabled(False) <set_enabled>`, :func:`disabled` or ``MLP_DERIVATIONS_NO_CACHE`` say otherwise."""
    if _override is not None:
        return _override
    return os.environ.get(ENV_OFF, "") in ("", "0")


def set_enabled(flag: bool | None) -> None:
    """Force the cache on (True) or off (False) in this process; None: follow ``MLP_DERIVATIONS_NO_CACHE``."""
    global _override
    if flag is not None and not isinstance(flag, bool):
        raise ValueError(f"flag={flag!r} is not allowed; expected True, False or None")
    _override = flag


@contextlib.contextmanager
def disabled():
    """Bypass the cache inside the ``with`` block (this process only)."""
    global _override
    saved, _override = _override, False
    try:
        yield
    finally:
        _override = saved


@functools.cache
def _file_digest(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _paths(source: Any) -> list[str]:
    """The source files of a module, a package (every ``.py`` below it), a module name, or a path."""
    if isinstance(source, str) and not source.endswith(".py"):
        source = importlib.import_module(source)
    if isinstance(source, (str, Path)):
        return [str(Path(source).resolve())]
    if inspect.ismodule(source):
        if hasattr(source, "__path__"):  # a package: all of it
            return sorted(str(p.resolve()) for d in source.__path__ for p in Path(d).rglob("*.py"))
        if getattr(source, "__file__", None):
            return [str(Path(source.__file__).resolve())]
    raise ValueError(f"source={source!r} is not a module, a package, a module name or a .py path")


def source_digest(sources: Iterable[Any]) -> str:
    """A digest of the contents (not the dates) of every file of ``sources``, in a fixed order."""
    h = hashlib.sha256()
    for path in sorted({p for s in sources for p in _paths(s)}):
        h.update(Path(path).name.encode() + b"\0" + _file_digest(path).encode() + b"\0")
    return h.hexdigest()


@functools.cache
def _environment() -> str:
    import mpmath
    import sympy

    return f"format {FORMAT}; sympy {sympy.__version__}; mpmath {mpmath.__version__}; python {sys.version}"


class _Uncacheable(Exception):
    pass


def _class_manifest(expr: Any) -> list[str]:
    """What ``srepr`` leaves out: undefined functions' assumptions, and the source of non-SymPy classes."""
    import sympy as sp
    from sympy.core.function import UndefinedFunction

    entries = set()
    for node in sp.preorder_traversal(expr):
        for cls in (type(node), getattr(node, "func", None)):
            if not isinstance(cls, type):
                continue
            if isinstance(cls, UndefinedFunction):
                entries.add(f"undefined {cls.__name__} {sorted(cls._kwargs.items())} nargs={cls.nargs}")
                continue
            module = cls.__module__ or ""
            if module == "sympy" or module.startswith("sympy."):
                continue
            try:
                where = inspect.getsourcefile(cls)
            except TypeError:
                where = None
            if where is None:  # a class built at run time: nothing to digest, so nothing to cache
                raise _Uncacheable(cls.__qualname__)
            entries.add(f"class {module}.{cls.__qualname__} {_file_digest(str(Path(where).resolve()))}")
    return sorted(entries)


def _argument_key(value: Any) -> str:
    import sympy as sp

    if value is None or isinstance(value, (bool, int, float, str)):
        return f"{type(value).__name__}:{value!r}"
    if isinstance(value, tuple):
        return "(" + ",".join(_argument_key(v) for v in value) + ")"
    if isinstance(value, sp.MatrixBase):
        kind = "mutable " if not isinstance(value, sp.ImmutableMatrix) else ""
        value, prefix = sp.ImmutableMatrix(value), kind
    elif isinstance(value, sp.Basic):
        prefix = ""
    else:
        raise _Uncacheable(type(value).__name__)
    return f"{prefix}{sp.srepr(value)} {_class_manifest(value)}"


def expression_key(value: Any) -> str | None:
    """The key text of one argument (a SymPy object, number, string, None or a tuple of them); None if uncacheable."""
    try:
        return _argument_key(value)
    except _Uncacheable:
        return None


def _global_state_is_default() -> bool:
    from sympy.assumptions import global_assumptions
    from sympy.core.parameters import global_parameters

    return not global_assumptions and global_parameters.evaluate and global_parameters.distribute


def _path(namespace: str, digest: str) -> Path:
    return directory() / f"v{FORMAT}" / namespace / f"{digest}.pickle"


def _load(path: Path, digest: str) -> tuple[bool, Any]:
    try:
        data = path.read_bytes()
    except OSError:
        return False, None
    try:
        magic, stored, value = pickle.loads(data)
    except Exception:  # noqa: BLE001 - truncated, corrupt or foreign: a miss
        return False, None
    if magic != _MAGIC or stored != digest:
        return False, None
    return True, value


def _store(path: Path, digest: str, value: Any) -> None:
    try:
        data = pickle.dumps((_MAGIC, digest, value), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 - an unpicklable result is simply not cached
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)  # atomic: readers see the old entry, the new one, or none
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except OSError:  # a read-only or full cache directory: the result is still returned
        return


def cached(
    namespace: str,
    *,
    sources: Iterable[Any],
    accept: Callable[[Any], bool] = lambda value: True,
) -> Callable[[Callable], Callable]:
    """Decorator: look the call up in the cache before computing it, store what it returns.

    ``namespace`` names the entries' sub-directory; ``sources`` are the modules
    (or packages, module names, paths) whose source the result depends on --
    the decorated function's own module is always added.  ``accept(value)``
    vets a loaded value (e.g. its type); a value it rejects is recomputed.
    Arguments must be SymPy objects, numbers, strings, None or tuples of them,
    else the call is computed without the cache.
    """
    if not namespace or not namespace.replace("-", "").replace("_", "").isalnum():
        raise ValueError(f"namespace={namespace!r} is not allowed; expected letters, digits, '-' and '_'")
    sources = tuple(sources)

    def decorator(function: Callable) -> Callable:
        name = f"{function.__module__}.{function.__qualname__}"

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not enabled() or not _global_state_is_default():
                return function(*args, **kwargs)
            try:
                parts = [_argument_key(a) for a in args]
                parts += [f"{k}={_argument_key(v)}" for k, v in sorted(kwargs.items())]
            except _Uncacheable:
                return function(*args, **kwargs)
            # the file digests are read once per process (the code running is the code loaded then)
            text = "\n".join(
                [_environment(), source_digest((*sources, sys.modules[function.__module__])), name, *parts]
            )
            digest = hashlib.sha256(text.encode()).hexdigest()
            path = _path(namespace, digest)
            hit, value = _load(path, digest)
            if hit and accept(value):
                return value
            value = function(*args, **kwargs)
            _store(path, digest, value)
            return value

        wrapper.uncached = function  # the computation itself, for tests and benchmarks
        return wrapper

    return decorator


def cached_expression(*, sources: Iterable[Any] = ()) -> Callable[[Callable], Callable]:
    """Decorator for a function deriving SymPy expressions (pickled): ``@cached_expression(sources=[calculus])``.

    List in ``sources`` every module whose code the derivation runs besides the
    function's own (the calculus engine, say); SymPy itself is covered by its version.
    """
    return cached("expressions", sources=sources)
