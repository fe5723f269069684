"""Issue 11, items 2-5: code written the way tch's and evcxr's documentation write it runs as
written. Each cell here is our own, written from the documented behaviour."""

from __future__ import annotations

from kernel_client import Kernel


def test_a_string_result_is_shown_in_its_debug_form(kernel: Kernel):
    # evcxr shows a String or &str result quoted, as `{:?}` writes it.
    assert kernel.ok('"f".to_string() + "oo"').result() == '"foo"'
    assert kernel.ok('"tab\\there"').result() == '"tab\\there"'
    # display() of a string still shows the text itself.
    run = kernel.ok('display(&"plain text");')
    assert run.of_type("display_data")[0]["data"]["text/plain"] == "plain text"


def test_the_prelude_survives_evcxr_clear(kernel: Kernel):
    kernel.ok("let before_clear = 1;")
    kernel.ok(":clear")
    run = kernel.ok("Tensor::ones([2], (Kind::Float, Device::Cpu)).sum(Kind::Float).double_value(&[])")
    assert run.result() == "2.0"
    assert kernel.execute("before_clear").status == "error", ":clear forgets variables, as evcxr documents"


def test_tchs_edition_2021_path_pattern_compiles(kernel: Kernel):
    # tch's README: a model-building function returning `impl Module`, called with a temporary path.
    kernel.ok(
        "fn net(vs: &nn::Path) -> impl Module {\n"
        '    nn::seq().add(nn::linear(vs / "layer1", 4, 8, Default::default())).add_fn(|xs| xs.relu())\n'
        '        .add(nn::linear(vs, 8, 2, Default::default()))\n'
        "}"
    )
    # In a block: an `impl Module` cannot be kept between cells (evcxr says so), the call is the point.
    run = kernel.ok("{\n    let vs = nn::VarStore::new(Device::Cpu);\n    let model = net(&vs.root());\n"
                    "    model.forward(&Tensor::zeros([3, 4], (Kind::Float, Device::Cpu))).size()\n}")
    assert run.result() == "[3, 2]"


def test_the_edition_can_be_chosen_and_a_bad_one_is_named(kernel: Kernel):
    bad = kernel.execute(":edition 2023")
    assert bad.status == "error" and "2023" in "\n".join(bad.error()["traceback"])
    kernel.ok(":edition 2024")
    # A let chain is edition 2024 only.
    assert kernel.ok("let o = Some(3);\nif let Some(x) = o && x > 2 { x * 2 } else { 0 }").result() == "6"
    kernel.ok(":edition 2021")
    assert kernel.execute("let o2 = Some(3);\nif let Some(x) = o2 && x > 2 { 1 } else { 0 }").status == "error"


def test_errors_point_at_the_cell_never_at_evcxrs_wrapper(kernel: Kernel):
    # Issue 11, item 6. A last `let` without its `;` is the statement it was meant to be.
    kernel.ok("let z = 5")
    assert kernel.ok("z + 1").result() == "6"
    for code in ["1 +", "let y = {", "let w = (1, 2", "fn half(x: f64) -> f64 {"]:
        run = kernel.execute(code)
        assert run.status == "error", code
        text = run.error()["evalue"] + "\n".join(run.error()["traceback"])
        for leaked in ("src/lib.rs", "EvcxrUserCodeError", "evcxr_variable_store", "evcxr_display"):
            assert leaked not in text, (code, text)
        assert "ends in the middle" in text, (code, text)


def test_a_panic_the_cell_catches_itself_does_not_fail_the_cell(kernel: Kernel):
    # Before: the prelude's hook reported every panic, so this cell came back as an error even
    # though catch_unwind handled it (and `caught` was lost).
    run = kernel.ok(
        'let caught = std::panic::catch_unwind(|| -> i32 { panic!("inner trouble") }).is_err();\n'
        "caught"
    )
    assert run.result() == "true"
    assert "inner trouble" in run.stderr() and "caught by the cell" in run.stderr()
    assert kernel.ok("caught").result() == "true", "the variable was kept"
    joined = kernel.ok('std::thread::spawn(|| panic!("worker failed")).join().is_err()')
    assert joined.result() == "true"
    assert "worker failed" in joined.stderr()
    # A panic nobody catches still fails its cell, with its message.
    boom = kernel.execute('panic!("uncaught {}", 7)')
    assert boom.status == "error"
    assert boom.error()["evalue"].startswith("uncaught 7"), boom.error()


def test_a_final_value_evcxr_shows_through_its_fallback_is_the_cells_result(kernel: Kernel):
    # Issue 22, item 2: a final expression that moves a stored variable, or uses `?`, is
    # compiled again by evcxr with a fallback display; its value came out on stdout as
    # `EVCXR_BEGIN_CONTENT text/plain` text, with no execute_result.
    kernel.ok('let a = Some("foo".to_owned());')
    run = kernel.ok("a.unwrap()")
    assert run.result() == '"foo"' and "EVCXR" not in run.stdout(), run.outputs
    kernel.ok("use std::sync::{Mutex, Arc};\nlet counter = Arc::new(Mutex::new(5i32));")
    run = kernel.ok("*counter.lock()?")
    assert run.result() == "5" and "EVCXR" not in run.stdout(), run.outputs
    # evcxr's own test `save_and_restore_variables`, its last cell.
    kernel.ok("struct R42(i32);\nimpl R42 { fn r42(&self) -> i32 { self.0 } }\n"
              "let v1 = Some(R42(40));\nlet v2 = Some(R42(2));")
    run = kernel.ok("v1.unwrap().r42() + v2.unwrap().r42()")
    assert run.result() == "42" and run.stdout() == "", run.outputs
    # Text a cell prints before such a value stays text, in order.
    kernel.ok('let b = Some(String::from("bar"));')
    run = kernel.ok('println!("EVCXR_BEGIN_CONTENT text/plain");\nb.unwrap()')
    assert run.stdout() == "EVCXR_BEGIN_CONTENT text/plain\n" and run.result() == '"bar"', run.outputs
