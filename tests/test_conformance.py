"""jupyter-kernel-test's conformance suite, every check given what it needs."""

import unittest

import jupyter_kernel_test

from kernel_client import KERNEL_NAME


class TorchbookKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = KERNEL_NAME
    language_name = "rust"
    file_extension = ".rs"

    code_hello_world = 'println!("hello, world");'
    code_stderr = 'eprintln!("oops");'
    completion_samples = [
        {"text": "let unique_torchbook_name = 1;\nunique_torchb", "matches": {"unique_torchbook_name"}},
        {"text": "Tensor::ze"},
    ]
    complete_code_samples = ["let x = 1;", "fn f() {}", "println!(\"(\");"]
    incomplete_code_samples = ["fn f() {", "let v = vec![1,", "let s = \"open"]
    invalid_code_samples = ["let x = (1];", "}"]
    code_page_something = "?Tensor"
    code_generate_error = 'panic!("deliberate")'
    code_execute_result = [
        {"code": "1 + 2", "result": "3"},
        {"code": "let s = String::from(\"ab\");\ns.len()", "result": "2"},
        {"code": "Tensor::ones([2], (Kind::Float, Device::Cpu))", "mime": "text/html"},
    ]
    code_display_data = [
        {"code": 'display(&"shown");', "mime": "text/plain"},
        {"code": 'display(&LineChart::new("c").series_y("y", &[1.0, 2.0]));', "mime": "image/svg+xml"},
    ]
    code_history_pattern = "1 + *"
    supported_history_operations = ("tail", "range", "search")
    code_inspect_sample = "Tensor"
    code_clear_output = "clear_output(false);"


class TorchbookIopubWelcome(jupyter_kernel_test.IopubWelcomeTests):
    kernel_name = KERNEL_NAME
    support_iopub_welcome = True


if __name__ == "__main__":
    unittest.main()
