"""Issue 11, item 1: the shared torch-sys wrapper resolves every symbol through its own NEEDED
libraries, and the stream functions of tch (which call back from the wrapper into torch-sys)
work in a cell, as they do in a plain cargo binary.
"""

from __future__ import annotations

import subprocess

from kernel_client import Kernel
from test_kernel_lifecycle import store


def dynamic_symbols(library: str, *flags: str) -> set[str]:
    out = subprocess.run(["nm", "-D", *flags, library], capture_output=True, text=True, check=True).stdout
    return {line.split()[-1].split("@")[0] for line in out.splitlines() if line.strip()}


def needed_closure(library: str) -> list[str]:
    """The library's NEEDED libraries, recursively, as the loader finds them (ldd)."""
    out = subprocess.run(["ldd", library], capture_output=True, text=True, check=True).stdout
    found = []
    for line in out.splitlines():
        assert "not found" not in line, line
        parts = line.split("=>")
        path = (parts[1] if len(parts) > 1 else parts[0]).strip().split(" (")[0].strip()
        if path.startswith("/"):
            found.append(path)
    return found


def test_every_undefined_symbol_of_the_wrapper_resolves_through_its_needed_libraries():
    wrapper = str(store() / "native" / "libtch_capi.so")
    undefined = {s for s in dynamic_symbols(wrapper, "--undefined-only")}
    # Weak references (the TM clone tables, gmon) may stay unresolved by design.
    weak = {line.split()[-1].split("@")[0]
            for line in subprocess.run(["nm", "-D", "--undefined-only", wrapper], capture_output=True,
                                       text=True, check=True).stdout.splitlines() if line.split()[0] in ("w", "v")}
    provided: set[str] = set()
    for lib in needed_closure(wrapper):
        provided |= dynamic_symbols(lib, "--defined-only")
    missing = sorted(undefined - weak - provided)
    assert not missing, f"{len(missing)} symbols resolve only by chance: {missing[:10]}"
    # The callbacks that used to be missing are among those checked.
    assert "tch_write_stream_write" in undefined


def test_tensor_and_varstore_streams_work_in_a_cell(kernel: Kernel, tmp_path):
    t = tmp_path / "t.pt"
    v = tmp_path / "vs.pt"
    kernel.ok("let kept_before_streams = 7;")
    kernel.ok(
        f'Tensor::from_slice(&[1.0f32, 2.0, 3.0]).save_to_stream(std::fs::File::create("{t}").unwrap()).unwrap();\n'
        f'let back = Tensor::load_from_stream(std::fs::File::open("{t}").unwrap()).unwrap();\n'
        "assert_eq!(Vec::<f32>::try_from(&back).unwrap(), vec![1.0, 2.0, 3.0]);"
    )
    kernel.ok(
        "let vs = nn::VarStore::new(Device::Cpu);\n"
        'let lin = nn::linear(vs.root() / "fc", 3, 2, Default::default());\n'
        f'vs.save_to_stream(std::fs::File::create("{v}").unwrap()).unwrap();\n'
        "let mut vs2 = nn::VarStore::new(Device::Cpu);\n"
        'let lin2 = nn::linear(vs2.root() / "fc", 3, 2, Default::default());\n'
        f'vs2.load_from_stream(std::fs::File::open("{v}").unwrap()).unwrap();\n'
        "assert!(lin.ws.allclose(&lin2.ws, 0.0, 0.0, false));\n"
        "drop((lin, lin2));"
    )
    # In memory, through a Cursor, as tch's own tests do.
    kernel.ok(
        "let mut buffer = std::io::Cursor::new(Vec::<u8>::new());\n"
        "Tensor::arange(4, (Kind::Int64, Device::Cpu)).save_to_stream(&mut buffer).unwrap();\n"
        "buffer.set_position(0);\n"
        "let again = Tensor::load_from_stream(buffer).unwrap();\n"
        "assert_eq!(again.sum(Kind::Int64).int64_value(&[]), 6);"
    )
    assert kernel.ok("kept_before_streams").result() == "7"
