"""Issue 11, item 8: JupyterLab from the venv, driven in Debian's Chromium with Selenium.

The browser and its driver are the system's (`/usr/bin/chromium`, `/usr/bin/chromedriver`);
Selenium is told not to fetch any (`SE_OFFLINE`). Screenshots go to `$TORCHBOOK_SCREENSHOTS`
(default: `<pytest tmp>/screenshots`). Timeouts bound a hang; the one latency the test asserts
is JupyterLab's own: a completion reply later than 1 s is dropped, so the first Tab would show
nothing.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM, DRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")

pytestmark = pytest.mark.skipif(
    not (CHROMIUM.exists() and DRIVER.exists()),
    reason="Debian's chromium and chromium-driver are not installed (test.sh installs them)",
)


# Issue 23's browser test: a chart of 200 points redrawn by a slider, a button counting clicks.
WIDGET_CELLS = [
    'let k = IntSlider::new(IntSliderConfig { value: 1, min: 1, max: 10, description: "k".into(), ..Default::default() });\n'
    "let kk = k.clone();\n"
    "let view = interact(&[&k], move || {\n"
    "    let k = kk.value() as f64;\n"
    "    let ys: Vec<f64> = (0..200).map(|i| (i as f64 / 200.0 * k).sin()).collect();\n"
    '    LineChart::new(format!("sin(k x), k = {k}")).series_y("y", &ys)\n'
    "});\n"
    "view",
    'let button = Button::new(ButtonConfig { description: "Add one".into(), ..Default::default() });\n'
    'let clicks = Label::new(LabelConfig { value: "0 clicks".into(), ..Default::default() });\n'
    "let shown = clicks.clone();\n"
    "let count = std::sync::atomic::AtomicU32::new(0);\n"
    "button.on_click(move || {\n"
    "    let n = count.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;\n"
    '    shown.set_value(format!("{n} clicks"));\n'
    "});\n"
    "HBox::new(&[&button, &clicks])",
]

TRAINING_CELLS = [
    "tch::manual_seed(0);\n"
    "let x = Tensor::randn([4096, 8], (Kind::Float, Device::Cpu));\n"
    "let y = x.sum_dim_intlist(&[1i64][..], true, Kind::Float);\n"
    "let data = TensorDataset::new(x, y).unwrap();\n"
    "let vs = nn::VarStore::new(Device::Cpu);\n"
    'let model = mlp(&vs.root() / "m", &[8, 32, 1], Activation::Relu);\n'
    "let mut opt = Adam::new(vs.trainable_variables(), AdamConfig { lr: 0.01, ..Default::default() });\n"
    "let loader = DataLoader::new(data.clone(), 32).unwrap();",
    "let history = Trainer::new(100_000).panel(PanelConfig::default())\n"
    "    .fit(&model, &vs, &mut opt, &mse, None, &loader, None);",
    'println!("epochs done: {}, interrupted: {}", history.epochs(), history.interrupted);',
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    work = tmp_path_factory.mktemp("lab")
    shutil.copy(ROOT / "notebooks/00_tour.ipynb", work)
    scratch = nbformat.v4.new_notebook()
    scratch.metadata["kernelspec"] = {"name": "torchbook", "display_name": "Rust (Torchbook)", "language": "rust"}
    scratch.cells.append(nbformat.v4.new_code_cell(""))
    nbformat.write(scratch, work / "scratch.ipynb")
    nbformat.write(scratch, work / "variables.ipynb")
    widgets = nbformat.v4.new_notebook(metadata=scratch.metadata)
    widgets.cells = [nbformat.v4.new_code_cell(source) for source in WIDGET_CELLS]
    nbformat.write(widgets, work / "widgets.ipynb")
    training = nbformat.v4.new_notebook(metadata=scratch.metadata)
    training.cells = [nbformat.v4.new_code_cell(source) for source in TRAINING_CELLS]
    nbformat.write(training, work / "training.ipynb")
    subprocess.run([str(Path(sys.prefix) / "bin/jupyter"), "trust", str(work / "00_tour.ipynb")],
                   check=True, capture_output=True)
    port, token = free_port(), secrets.token_hex(16)
    log = open(work / "lab.log", "w")
    server = subprocess.Popen(
        [str(Path(sys.prefix) / "bin/jupyter"), "lab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={work}", "--allow-root",
         "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        stdout=log, stderr=subprocess.STDOUT, cwd=work,
    )
    deadline = time.monotonic() + 120
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert server.poll() is None, (work / "lab.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "JupyterLab did not start"
            time.sleep(0.5)
    yield f"http://127.0.0.1:{port}", token, work
    server.terminate()
    try:
        server.wait(30)
    except subprocess.TimeoutExpired:
        server.kill()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    os.environ["SE_OFFLINE"] = "true"
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1100",
                "--disable-gpu", "--no-first-run"]:
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(executable_path=str(DRIVER)), options=options)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    path = Path(os.environ.get("TORCHBOOK_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def wait(driver, predicate, what: str, timeout: float = 180.0):
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = predicate(driver)
            if value:
                return value
        except Exception:  # the page is changing under us; look again
            pass
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def prompts(driver) -> list[str]:
    from selenium.webdriver.common.by import By

    return [p.text.strip() for p in driver.find_elements(By.CSS_SELECTOR, ".jp-CodeCell .jp-InputPrompt")]


def open_notebook(driver, lab, name: str):
    from selenium.webdriver.common.by import By

    url, token, _ = lab
    driver.get(f"{url}/lab/tree/{name}?token={token}&reset")
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, ".jp-NotebookPanel .jp-CodeCell"), f"{name} to open")
    # The kernel is ready when the toolbar's indicator says idle.
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, ".jp-NotebookPanel:not(.lm-mod-hidden) "
                                            ".jp-Notebook-ExecutionIndicator[data-status='idle']"),
         "the kernel to be idle", 240)


def command(driver, menu: str, label: str):
    """Clicks `label` in the menu bar's `menu`, as a user does."""
    from selenium.webdriver.common.by import By

    bar = wait(driver, lambda d: [m for m in d.find_elements(By.CSS_SELECTOR, ".lm-MenuBar-itemLabel")
                                  if m.text == menu], f"the {menu} menu")
    bar[0].click()
    item = wait(driver, lambda d: [i for i in d.find_elements(By.CSS_SELECTOR, ".lm-Menu-itemLabel")
                                   if i.text.strip() == label and i.is_displayed()], f"{menu} > {label}", 20)
    item[0].click()


def test_the_tour_runs_in_jupyterlab_with_rich_output(lab, browser, shots):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver = browser
    open_notebook(driver, lab, "00_tour.ipynb")
    command(driver, "Run", "Run All Cells")
    # Run All stops at the intended panic (stop_on_error): the cells after it are aborted.
    wait(driver, lambda d: "[*]:" not in prompts(d) and any(p not in ("[ ]:", "") for p in prompts(d)),
         "Run All to finish", 600)
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "[data-mime-type='application/vnd.jupyter.stderr']"),
         "the panic's traceback")
    driver.save_screenshot(str(shots / "00_tour-run-all.png"))

    tables = driver.find_elements(By.CSS_SELECTOR, ".jp-OutputArea-output table.torchbook-tensor")
    assert len(tables) >= 3, "tensors are shown as HTML tables"
    grid = driver.find_elements(By.CSS_SELECTOR, "table.torchbook-tensor table.torchbook-values")
    assert any(len(g.find_elements(By.CSS_SELECTOR, "td")) == 12 for g in grid), "the 3x4 tensor shows all 12 values"
    # JupyterLab renders cells lazily as they scroll into view: bring the chart's cell there.
    chart_cell = next(c for c in driver.find_elements(By.CSS_SELECTOR, ".jp-CodeCell")
                      if "LineChart::new" in c.get_attribute("textContent"))
    driver.execute_script("arguments[0].scrollIntoView()", chart_cell)
    wait(driver, lambda d: chart_cell.find_elements(
        By.CSS_SELECTOR, ".jp-RenderedSVG svg, .jp-RenderedSVG img[src^='data:image/svg+xml']"),
        "the chart as an SVG image, not text", 30)
    driver.save_screenshot(str(shots / "00_tour-chart.png"))
    texts = [o.text for o in driver.find_elements(By.CSS_SELECTOR, ".jp-OutputArea-output")]
    assert any(t.strip() == '"epoch 3 of 3: loss 0.333"' or t.strip() == "epoch 3 of 3: loss 0.333" for t in texts), texts
    assert not any("epoch 0 of 3" in t or "epoch 1 of 3" in t for t in texts), "the display was updated in place"
    panic = driver.find_elements(By.CSS_SELECTOR, "[data-mime-type='application/vnd.jupyter.stderr']")
    assert any("index out of bounds" in p.text for p in panic), [p.text for p in panic]

    # The cell after the panic, run on its own: the variables survived.
    last = driver.find_elements(By.CSS_SELECTOR, ".jp-CodeCell")[-1]
    last.find_element(By.CSS_SELECTOR, ".jp-InputPrompt").click()
    last.send_keys(Keys.SHIFT, Keys.ENTER)
    wait(driver, lambda d: any("x and losses survived the panic" in o.text
                               for o in d.find_elements(By.CSS_SELECTOR, ".jp-OutputArea-output")),
         "the cell after the panic")
    driver.save_screenshot(str(shots / "00_tour-after-panic.png"))


def type_into_first_cell(driver, text: str):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    editor = driver.find_elements(By.CSS_SELECTOR, ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .cm-content")[0]
    editor.click()
    ActionChains(driver).key_down(Keys.CONTROL).send_keys("a").key_up(Keys.CONTROL).send_keys(Keys.DELETE).perform()
    for line_no, line in enumerate(text.split("\n")):
        if line_no:
            editor.send_keys(Keys.ENTER)
        editor.send_keys(line)
    return editor


def test_completion_documentation_and_interrupt_in_a_fresh_kernel(lab, browser, shots):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    from test_standby import ready_standbys, wait_for

    driver = browser
    # A new kernel is served by a standby kernel (the default): wait until one is ready again
    # after the tour took one. A cold start (no standby) answers its first completion only
    # once its session is up, seconds later, and JupyterLab drops it.
    if not ready_standbys():
        from kernel_client import Kernel

        starter = Kernel()  # once its session is up, a kernel fills the pool
        starter.ok("1")
        wait_for(lambda: len(ready_standbys()) >= 1, "a ready standby", 300)
        starter.shutdown()
    wait_for(lambda: len(ready_standbys()) >= 1, "a ready standby", 300)
    open_notebook(driver, lab, "scratch.ipynb")
    # Opening it claimed the standby, and the kernel starts another (rustc and rust-analyzer on
    # both cores for about a minute); a first Tab during that took 1.06 s in a CI run, before
    # standbys yielded (issue 25, item 2). The latency measured here is that of a kernel whose
    # machine is not warming a standby.
    wait_for(lambda: len(ready_standbys()) >= 1, "the standby that replaces the claimed one", 300)
    # jupyter-server connects the page to a new kernel by repeating kernel_info every 0.5 s until
    # IOPub answers (its "nudge"); the toolbar says idle before that ends, and a Tab pressed
    # meanwhile waits (measured: kernel_info at +0.19, +0.22, +0.72, +0.72 s after the Tab, the
    # completion after them). Let the handshake end; no completion has been asked for yet.
    time.sleep(2)
    editor = type_into_first_cell(driver, "Tensor::ze")
    started = time.monotonic()
    print(f"Tab pressed at {time.time():.3f}")
    editor.send_keys(Keys.TAB)
    try:
        items = wait(driver, lambda d: [i.text for i in d.find_elements(By.CSS_SELECTOR, ".jp-Completer-item")],
                     "the completer after the first Tab", 10)
    finally:
        driver.save_screenshot(str(shots / "completion.png"))
    latency = time.monotonic() - started
    print(f"first Tab to completer shown: {latency:.3f}s")
    driver.save_screenshot(str(shots / "completion.png"))
    assert any("zeros" in i for i in items), items
    editor.send_keys(Keys.ESCAPE)

    editor = type_into_first_cell(driver, "seed_everything(")
    ActionChains(driver).key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT).perform()
    tip = wait(driver, lambda d: [t.text for t in d.find_elements(By.CSS_SELECTOR, ".jp-Tooltip") if t.text.strip()],
               "the Shift-Tab tooltip", 20)
    driver.save_screenshot(str(shots / "documentation.png"))
    # The prelude's doc comment, not only the signature.
    assert any("Seeds libtorch's generators" in t for t in tip), tip
    editor.send_keys(Keys.ESCAPE)

    # Interrupt once the loop runs: "[*]" shows as soon as the cell is queued, and an interrupt that
    # arrives while the cell still compiles cancels the whole cell, `kept` with it (a CI run under
    # load interrupted the compile 2 s after "[*]" and the next cell found no `kept`).
    type_into_first_cell(driver, "let kept = 41;\nlet mut spins = 0u64;\nprintln!(\"spinning\");\n"
                                 "while check_interrupt().is_ok() { spins += 1; }")
    ActionChains(driver).key_down(Keys.CONTROL).send_keys(Keys.ENTER).key_up(Keys.CONTROL).perform()
    wait(driver, lambda d: any("spinning" in o.text for o in d.find_elements(By.CSS_SELECTOR, ".jp-OutputArea-output")),
         "the loop to start", 120)
    command(driver, "Kernel", "Interrupt Kernel")
    wait(driver, lambda d: "[*]:" not in prompts(d), "the loop to stop after the interrupt", 30)
    type_into_first_cell(driver, "kept + 1")
    ActionChains(driver).key_down(Keys.CONTROL).send_keys(Keys.ENTER).key_up(Keys.CONTROL).perform()
    try:
        wait(driver, lambda d: any(o.text.strip() == "42" for o in d.find_elements(By.CSS_SELECTOR, ".jp-OutputArea-output")),
             "the variable defined before the interrupt", 60)
    finally:
        driver.save_screenshot(str(shots / "interrupt.png"))
        print("outputs:", [o.text for o in driver.find_elements(By.CSS_SELECTOR, ".jp-OutputArea-output")])


def test_the_debuggers_variables_panel_lists_each_variable_and_draws_a_tensor(lab, browser, shots):
    """Issue 24: the bug button switches the debugger on; the panel fills after each cell."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver = browser
    open_notebook(driver, lab, "variables.ipynb")
    # The bug button is shown before the page's kernel connection is up ("Connecting" in the
    # status bar), and a click then does not start the debugger (seen in a CI run).
    wait(driver, lambda d: "Rust (Torchbook) | Idle" in d.find_element(By.ID, "jp-main-statusbar").text,
         "the kernel to be connected", 240)
    bug = wait(driver, lambda d: [b for b in d.find_elements(
        By.CSS_SELECTOR, ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-DebuggerBugButton") if b.is_enabled()],
        "the debugger's bug button, enabled because the kernel says it has a debugger", 60)
    driver.save_screenshot(str(shots / "debugger-button.png"))
    bug[0].click()
    # Switched on, JupyterLab opens its debugger sidebar; open it by its tab when it did not.
    try:
        wait(driver, lambda d: [p for p in d.find_elements(By.CSS_SELECTOR, ".jp-DebuggerVariables")
                                if p.is_displayed()], "the variables panel", 10)
    except AssertionError:
        tab = [t for t in driver.find_elements(By.CSS_SELECTOR, ".lm-TabBar-tab")
               if (t.get_attribute("title") or "").startswith("Debugger")]
        assert tab, "a Debugger tab in a sidebar"
        tab[0].click()
        wait(driver, lambda d: [p for p in d.find_elements(By.CSS_SELECTOR, ".jp-DebuggerVariables")
                                if p.is_displayed()], "the variables panel", 30)

    def run(code: str):
        type_into_first_cell(driver, code)
        ActionChains(driver).key_down(Keys.CONTROL).send_keys(Keys.ENTER).key_up(Keys.CONTROL).perform()

    def panel_rows(d) -> dict[str, str]:
        """Each row of the tree: `name` -> the text beside it (JupyterLab shows the type of a
        top-level variable there, and the value of an unfolded field or item)."""
        rows = {}
        for name in d.find_elements(By.CSS_SELECTOR, ".jp-DebuggerVariables .jp-DebuggerVariables-name"):
            detail = name.find_elements(By.XPATH, "following-sibling::span[contains(@class, 'jp-DebuggerVariables-detail')]")
            rows[name.text.strip()] = detail[0].text.strip() if detail else ""
        return rows

    def unfold(d, variable: str):
        name = next(n for n in d.find_elements(By.CSS_SELECTOR, ".jp-DebuggerVariables-name") if n.text.strip() == variable)
        name.click()

    run("#[derive(Debug)] struct Point { x: i32, y: i32 }\n"
        "let count: i64 = 41;\nlet greeting = String::from(\"hello\");\nlet items = vec![1, 2, 3];\n"
        "let weights = Tensor::ones([2, 3], (Kind::Float, Device::Cpu));\nlet p = Point { x: 1, y: 2 };")
    rows = wait(driver, lambda d: (r := panel_rows(d)) and {"count", "greeting", "items", "weights", "p"} <= set(r) and r,
                "the five variables in the panel", 180)
    assert (rows["count"], rows["greeting"], rows["items"], rows["weights"], rows["p"]) == (
        "i64", "String", "Vec<i32>", "Tensor", "Point"), rows
    # Unfolded, a struct shows its fields' values and the tensor its shape, dtype and statistics.
    unfold(driver, "p")
    wait(driver, lambda d: panel_rows(d).get("x") == "1" and panel_rows(d).get("y") == "2", "p's fields", 30)
    unfold(driver, "weights")
    wait(driver, lambda d: panel_rows(d).get("shape") == "[2, 3]" and panel_rows(d).get("mean") == "1", "the tensor's fields", 30)
    driver.save_screenshot(str(shots / "debugger-variables.png"))

    # The tensor's rich view: the render button opens its table in the main area.
    name = next(n for n in driver.find_elements(By.CSS_SELECTOR, ".jp-DebuggerVariables-name") if n.text.strip() == "weights")
    ActionChains(driver).move_to_element(name).perform()
    # Its own button: the unfolded fields inside its tree item have theirs.
    render = wait(driver, lambda d: name.find_elements(
        By.XPATH, "following-sibling::*[contains(@class, 'jp-DebuggerVariables-renderVariable')]"),
        "the render button of the tensor", 20)
    driver.execute_script("arguments[0].click()", render[0])
    try:
        table = wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, ".jp-VariableRendererPanel table.torchbook-tensor"),
                     "the tensor's table in the variable renderer", 30)
    finally:
        driver.save_screenshot(str(shots / "debugger-rich-tensor.png"))
    assert len(table[0].find_elements(By.CSS_SELECTOR, "table.torchbook-values td")) == 6

    # Back to the notebook: the next cell changes a variable, and the panel follows.
    tab = [t for t in driver.find_elements(By.CSS_SELECTOR, ".lm-DockPanel-tabBar .lm-TabBar-tab")
           if "variables.ipynb" in t.text]
    tab[0].click()
    run("let p = Point { x: 5, y: 2 };\nlet moved = greeting;")
    wait(driver, lambda d: "moved" in panel_rows(d) and "greeting" not in panel_rows(d), "the moved variable", 120)
    unfold(driver, "p")
    wait(driver, lambda d: panel_rows(d).get("x") == "5", "p's changed field", 30)
    driver.save_screenshot(str(shots / "debugger-after-next-cell.png"))


def test_widgets_a_slider_redraws_its_chart_and_a_button_counts(lab, browser, shots):
    """Issue 23: JupyterLab's widgets front end (jupyterlab_widgets from the venv) shows the
    kernel's widgets; dragging the slider re-runs the chart, clicking the button changes the
    label, both through the kernel."""
    from urllib.parse import unquote

    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    driver = browser
    open_notebook(driver, lab, "widgets.ipynb")
    wait(driver, lambda d: "Rust (Torchbook) | Idle" in d.find_element(By.ID, "jp-main-statusbar").text,
         "the kernel to be connected", 240)
    command(driver, "Run", "Run All Cells")
    try:
        handle = wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, ".widget-slider .noUi-handle"),
                      "the slider", 300)
        # JupyterLab shows an SVG output as an <img> with a data URL (or inline): its text either way.
        title = lambda d: " ".join([t.text for t in d.find_elements(By.CSS_SELECTOR, ".widget-output svg text")]
                                   + [unquote(i.get_attribute("src") or "")
                                      for i in d.find_elements(By.CSS_SELECTOR, ".widget-output img")])
        wait(driver, lambda d: "k = 1" in title(d), "the first chart in the Output widget", 120)
        button = wait(driver, lambda d: [b for b in d.find_elements(By.CSS_SELECTOR, "button.widget-button")
                                         if "Add one" in b.text], "the button", 300)
    finally:
        driver.save_screenshot(str(shots / "widgets-shown.png"))
    # Drag the handle to the right end of the track.
    track = driver.find_element(By.CSS_SELECTOR, ".widget-slider .noUi-target")
    ActionChains(driver).drag_and_drop_by_offset(handle[0], track.size["width"], 0).perform()
    readout = lambda d: d.find_element(By.CSS_SELECTOR, ".widget-readout").text.strip()
    wait(driver, lambda d: readout(d) == "10", "the slider's readout at 10", 30)
    wait(driver, lambda d: "k = 10" in title(d), "the chart redrawn for k = 10", 60)
    driver.save_screenshot(str(shots / "widgets-slider-moved.png"))
    for n in (1, 2, 3):
        button[0].click()
        wait(driver, lambda d: any(label.text.strip() == f"{n} clicks" for label in
                                   d.find_elements(By.CSS_SELECTOR, ".widget-label")), f"{n} clicks", 30)
    driver.save_screenshot(str(shots / "widgets-button-clicked.png"))


def test_widgets_stop_ends_a_running_training_cell_and_the_next_cell_sees_its_epochs(lab, browser, shots):
    """Issue 23, parts 3 and 4: JupyterLab 4.6 sends the Stop button's click on a subshell, so it
    reaches the kernel while `fit` runs; `fit` ends within 2 s and the next cell (queued by Run
    All) prints the epochs done."""
    from selenium.webdriver.common.by import By

    driver = browser
    open_notebook(driver, lab, "training.ipynb")
    command(driver, "Run", "Run All Cells")
    status = lambda d: " ".join(label.text for label in d.find_elements(By.CSS_SELECTOR, ".widget-label"))
    try:
        stop = wait(driver, lambda d: [b for b in d.find_elements(By.CSS_SELECTOR, "button.widget-button")
                                       if b.text.strip() == "Stop"], "the Stop button", 300)
        wait(driver, lambda d: any(int(n) >= 4 for n in re.findall(r"epoch (\d+)/100000", status(d))),
             "three epochs", 300)
    finally:
        driver.save_screenshot(str(shots / "training-running.png"))
    pressed = time.monotonic()
    stop[0].click()
    wait(driver, lambda d: "stopped (Stop pressed)" in status(d), "the panel to say training stopped", 30)
    stopped = time.monotonic() - pressed
    outputs = lambda d: " ".join(o.text for o in d.find_elements(By.CSS_SELECTOR, ".jp-OutputArea-output"))
    done = wait(driver, lambda d: re.search(r"epochs done: (\d+), interrupted: true", outputs(d)),
                "the next cell's line", 120)
    driver.save_screenshot(str(shots / "training-stopped.png"))
    assert stopped < 2.0, f"training went on {stopped:.2f} s after Stop"
    assert 3 <= int(done.group(1)) < 100_000
