"""papermill parameters for Rust notebooks run by the Torchbook kernel.

papermill (2.7) injects a notebook's parameters by asking a translator, looked up by kernel
name and then by language, to write them in the notebook's language; it ships none for Rust and
offers no entry point for adding one. This module is the translator, and it registers itself
when papermill's translator registry is imported, through a `.pth` file (Python's `site`
mechanism) that installs a small import hook; nothing else is imported at start-up.

Install it into any Python environment that runs papermill:

    /path/to/python kernel/python/torchbook_papermill.py install

(`./install.sh` does this for Torchbook's `.venv`.) The injected cell writes each value as JSON
and hands it, with the variable the `parameters` cell declared, to `torchbook::parameter`
(prelude/src/parameter.rs), which gives it the declared type or stops with an error naming
the parameter.
"""

from __future__ import annotations

import json
import math
import re
import sys
from pathlib import Path

KERNEL_NAME = "torchbook"
LANGUAGE = "rust"
PTH_NAME = "torchbook_papermill.pth"
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_RUST_KEYWORDS = {
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for",
    "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
    "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use",
    "where", "while", "async", "await", "dyn", "gen",
}
# `let name: Type = value;` with an optional `// help` after it.
_DECLARATION = re.compile(
    r"^\s*let\s+(?:mut\s+)?(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*(?::\s*(?P<type>[^=]+?))?\s*="
    r"\s*(?P<default>.+?)\s*;\s*(?://\s*(?P<help>.*))?$"
)


def _literal_type(default: str) -> str:
    """The type Rust gives an unannotated literal (what `let x = <default>;` declares)."""
    d = default.strip()
    if re.fullmatch(r"-?\d[\d_]*", d):
        return "i32"
    if re.fullmatch(r"-?\d[\d_]*(\.[\d_]*)?([eE][+-]?\d+)?", d):
        return "f64"
    suffixed = re.fullmatch(r"-?[\d_.eE+-]+(u8|u16|u32|u64|usize|i8|i16|i32|i64|isize|f32|f64)", d)
    if suffixed:
        return suffixed.group(1)
    if d.startswith('"') or d.startswith('r"') or d.startswith('r#'):
        return "&str"
    if d in ("true", "false"):
        return "bool"
    return "None"


def _json(value) -> str:
    """The value as JSON; NaN and infinities (which JSON lacks) as the strings Rust parses."""
    if isinstance(value, float) and not math.isfinite(value):
        return json.dumps("nan" if math.isnan(value) else ("inf" if value > 0 else "-inf"))
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as e:
        raise ValueError(f"parameter value {value!r} cannot be passed to a Rust notebook: {e}") from e


def _raw_string(text: str) -> str:
    """A Rust raw string literal holding `text` exactly."""
    hashes = 1
    while '"' + "#" * hashes in text:
        hashes += 1
    return f'r{"#" * hashes}"{text}"{"#" * hashes}'


def _translator_class():
    from papermill.translators import Translator

    class RustTranslator(Translator):
        """Writes `let name = torchbook::parameter::parameter(&name, "name", r#"<json>"#);`."""

        @classmethod
        def comment(cls, cmt_str):
            return f"// {cmt_str}".strip()

        @classmethod
        def codify(cls, parameters, comment="Parameters"):
            lines = [cls.comment(comment)]
            for name, value in parameters.items():
                if not _IDENTIFIER.match(name) or name in _RUST_KEYWORDS:
                    raise ValueError(f"parameter name {name!r} is not a Rust variable name")
                lines.append(
                    f'let {name} = torchbook::parameter::parameter(&{name}, "{name}", {_raw_string(_json(value))});'
                )
            return "\n".join(lines) + "\n"

        @classmethod
        def inspect(cls, parameters_cell):
            from papermill.models import Parameter

            found = []
            for line in parameters_cell.source.splitlines():
                m = _DECLARATION.match(line)
                if m:
                    found.append(Parameter(
                        name=m["name"],
                        inferred_type_name=(m["type"] or _literal_type(m["default"])).strip(),
                        default=m["default"],
                        help=(m["help"] or "").strip(),
                    ))
            return found

    return RustTranslator


def register() -> None:
    """Registers the translator with papermill (for the kernel name and the language)."""
    from papermill.translators import papermill_translators

    translator = _translator_class()
    papermill_translators.register(KERNEL_NAME, translator)
    papermill_translators.register(LANGUAGE, translator)


class _RegisterAfterImport:
    """Import hook: once `papermill.translators` is loaded, registers the Rust translator."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != "papermill.translators":
            return None
        import importlib.util

        sys.meta_path.remove(self)
        try:
            spec = importlib.util.find_spec(fullname)
        finally:
            sys.meta_path.insert(0, self)
        if spec is None or spec.loader is None:
            return None
        loader = spec.loader
        original = loader.exec_module

        def exec_module(module):
            original(module)
            register()

        spec.loader = _Wrapped(loader, exec_module)
        return spec


class _Wrapped:
    def __init__(self, loader, exec_module):
        self._loader = loader
        self.exec_module = exec_module

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def __getattr__(self, name):
        return getattr(self._loader, name)


def install_hook() -> None:
    """Called by the `.pth` file at interpreter start-up."""
    if "papermill.translators" in sys.modules:
        register()
    elif not any(isinstance(f, _RegisterAfterImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _RegisterAfterImport())


def install(site_packages: Path) -> list[Path]:
    """Copies this module into `site_packages` and writes the `.pth` file that loads it."""
    import shutil

    site_packages.mkdir(parents=True, exist_ok=True)
    module = site_packages / "torchbook_papermill.py"
    if Path(__file__).resolve() != module.resolve():
        shutil.copyfile(__file__, module)
    pth = site_packages / PTH_NAME
    pth.write_text("import torchbook_papermill; torchbook_papermill.install_hook()\n")
    return [module, pth]


def main(argv: list[str]) -> int:
    if argv[:1] != ["install"] or len(argv) > 2:
        print("usage: python torchbook_papermill.py install [SITE_PACKAGES]", file=sys.stderr)
        return 2
    import sysconfig

    target = Path(argv[1]) if len(argv) == 2 else Path(sysconfig.get_paths()["purelib"])
    for path in install(target):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
