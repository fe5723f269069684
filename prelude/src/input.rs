//! Reading a line from the notebook user: the kernel answers with an `input_request` on stdin.

/// Asks the user for a line of text; in a notebook a text box appears under the cell.
///
/// Outside the kernel it prints the prompt and reads standard input.
///
/// ```no_run
/// let name = torchbook::input::input("Your name: ");
/// println!("hello {name}");
/// ```
pub fn input(prompt: &str) -> String {
    if std::env::var_os(crate::display::KERNEL_ENV).is_some() {
        evcxr_input::get_string(prompt)
    } else {
        read_plain(prompt)
    }
}

/// Like [`input`], but the notebook hides what is typed.
///
/// ```no_run
/// let token = torchbook::input::input_password("Token: ");
/// assert!(!token.contains('\n'));
/// ```
pub fn input_password(prompt: &str) -> String {
    if std::env::var_os(crate::display::KERNEL_ENV).is_some() {
        evcxr_input::get_password(prompt)
    } else {
        read_plain(prompt)
    }
}

fn read_plain(prompt: &str) -> String {
    use std::io::Write;
    print!("{prompt}");
    let _ = std::io::stdout().flush();
    let mut line = String::new();
    let _ = std::io::stdin().read_line(&mut line);
    line.trim_end_matches(['\n', '\r']).to_owned()
}
