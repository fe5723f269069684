//! Rich output from inside a running cell: `display`, `DisplayHandle::update`, `clear_output`.
//!
//! Inside the Torchbook kernel each call sends one message ([`FromPrelude`]) on the execution
//! process's message link (`torchbook_contract::link`), never on stdout, so nothing a cell
//! prints can pass for one. The kernel turns it into a `display_data`, `update_display_data` or
//! `clear_output` message on IOPub at once, so a chart can be redrawn in place while a training
//! loop runs. Outside the kernel (tests, plain programs) the same calls print the value's
//! `text/plain` form.

use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use torchbook_contract::link;
use torchbook_contract::message::{FromCell, FromPrelude, MimeBundle};

/// Environment variable the kernel sets in the execution process.
///
/// ```
/// // Unset outside a notebook: `display` then prints plain text.
/// let in_kernel = std::env::var_os(torchbook::display::KERNEL_ENV).is_some();
/// assert!(!in_kernel);
/// ```
pub const KERNEL_ENV: &str = torchbook_contract::env::KERNEL;

/// A value that can be shown in a notebook, as one or more MIME representations.
///
/// ```
/// use torchbook::prelude::*;
/// struct Greeting;
/// impl Displayable for Greeting {
///     fn mime_bundle(&self) -> Vec<(String, String)> {
///         vec![("text/plain".into(), "hello".into()), ("text/html".into(), "<b>hello</b>".into())]
///     }
/// }
/// assert_eq!(Greeting.mime_bundle()[0].1, "hello");
/// ```
pub trait Displayable {
    /// `(mime type, content)` pairs; `text/plain` should always be among them.
    fn mime_bundle(&self) -> Vec<(String, String)>;

    /// What a cell ending in this value shows; the [`mime_bundle`](Displayable::mime_bundle)
    /// unless the type says otherwise (strings show quoted there, as evcxr shows them).
    fn result_bundle(&self) -> Vec<(String, String)> {
        self.mime_bundle()
    }
}

/// `display(&"text")` shows the text as it is; a cell ending in a string shows its `Debug`
/// form (`"foo"`), as evcxr and Rust's `{:?}` do.
///
/// ```
/// use torchbook::display::Displayable;
/// assert_eq!("foo".mime_bundle()[0].1, "foo");
/// assert_eq!("foo".result_bundle()[0].1, "\"foo\"");
/// assert_eq!(String::from("a\"b").result_bundle()[0].1, r#""a\"b""#);
/// ```
impl Displayable for str {
    fn mime_bundle(&self) -> Vec<(String, String)> {
        vec![("text/plain".to_owned(), self.to_owned())]
    }

    fn result_bundle(&self) -> Vec<(String, String)> {
        vec![("text/plain".to_owned(), crate::debug_display::debug_text(self))]
    }
}

impl Displayable for String {
    fn mime_bundle(&self) -> Vec<(String, String)> {
        self.as_str().mime_bundle()
    }

    fn result_bundle(&self) -> Vec<(String, String)> {
        self.as_str().result_bundle()
    }
}

impl<T: Displayable + ?Sized> Displayable for &T {
    fn mime_bundle(&self) -> Vec<(String, String)> {
        (**self).mime_bundle()
    }

    fn result_bundle(&self) -> Vec<(String, String)> {
        (**self).result_bundle()
    }
}

/// HTML to show as it is, with a plain-text fallback.
///
/// ```
/// use torchbook::display::{Displayable, Html};
/// let h = Html::new("<i>x</i>");
/// assert!(h.mime_bundle().iter().any(|(m, c)| m == "text/html" && c == "<i>x</i>"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Html(pub String);

impl Html {
    /// Wraps an HTML fragment.
    ///
    /// ```
    /// use torchbook::display::{Displayable, Html};
    /// let table = Html::new("<table><tr><td>1</td></tr></table>");
    /// assert_eq!(table.mime_bundle()[0], ("text/plain".to_owned(), "1".to_owned()));
    /// ```
    pub fn new(html: impl Into<String>) -> Self {
        Html(html.into())
    }
}

impl Displayable for Html {
    fn mime_bundle(&self) -> Vec<(String, String)> {
        vec![("text/plain".to_owned(), strip_tags(&self.0)), ("text/html".to_owned(), self.0.clone())]
    }
}

fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// Lets evcxr show a cell's final value through its MIME bundle.
///
/// evcxr calls `value.evcxr_display()` on a cell's last expression when such a method exists;
/// this blanket implementation provides it for every [`Displayable`].
///
/// ```
/// use torchbook::display::{EvcxrDisplay, Html};
/// // What evcxr compiles for a cell ending in an `Html` value.
/// Html::new("<b>bold</b>").evcxr_display();
/// ```
pub trait EvcxrDisplay {
    /// Sends the value's MIME bundle to the kernel as the cell's result.
    fn evcxr_display(&self);
}

impl<T: Displayable + ?Sized> EvcxrDisplay for T {
    fn evcxr_display(&self) {
        show_result(self.result_bundle().into_iter().collect());
    }
}

/// Sends `data` as the cell's result; outside the kernel, writes it in evcxr's own content
/// framing on stdout (what evcxr alone, or any evcxr-based kernel, reads).
pub(crate) fn show_result(data: MimeBundle) {
    match link::send(&FromCell::Kernel(FromPrelude::Result { data: data.clone() })) {
        Ok(()) => {}
        Err(link::LinkError::NotInKernel) if crate::program::show(&data) => {}
        Err(link::LinkError::NotInKernel) => {
            let mut out = std::io::stdout().lock();
            for (mime, content) in data {
                // A line reading exactly EVCXR_END_CONTENT would end the block early.
                let content = content.replace("\nEVCXR_END_CONTENT\n", "\nEVCXR_END_CONTENT \n");
                let _ = writeln!(out, "EVCXR_BEGIN_CONTENT {mime}\n{content}\nEVCXR_END_CONTENT");
            }
            let _ = out.flush();
        }
        Err(e) => eprintln!("torchbook: the result could not be shown: {e}"),
    }
}

/// A live output area created by [`display`]; [`update`](DisplayHandle::update) redraws it in place.
///
/// ```
/// use torchbook::prelude::*;
/// let progress = display(&"step 0");
/// for step in 1..=3 {
///     progress.update(&format!("step {step}"));
/// }
/// assert!(progress.display_id().starts_with("torchbook-"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayHandle {
    display_id: String,
}

static NEXT_DISPLAY: AtomicU64 = AtomicU64::new(0);

fn in_kernel() -> bool {
    link::process_link().is_some()
}

fn bundle(value: &(impl Displayable + ?Sized)) -> MimeBundle {
    value.mime_bundle().into_iter().collect()
}

fn send(message: FromPrelude) {
    if let Err(e) = link::send(&FromCell::Kernel(message)) {
        eprintln!("torchbook: a display could not be sent: {e}");
    }
}

fn print_plain(value: &(impl Displayable + ?Sized)) {
    if crate::program::show(&bundle(value)) {
        return;
    }
    if let Some((_, text)) = value.mime_bundle().into_iter().find(|(m, _)| m == "text/plain") {
        println!("{text}");
    }
}

/// Shows `value` now, in the middle of the cell, and returns a handle to update it later.
///
/// ```
/// use torchbook::prelude::*;
/// let handle = display(&"epoch 1");
/// handle.update(&"epoch 2");
/// ```
pub fn display(value: &(impl Displayable + ?Sized)) -> DisplayHandle {
    let display_id =
        format!("torchbook-{}-{}", std::process::id(), NEXT_DISPLAY.fetch_add(1, Ordering::Relaxed));
    if in_kernel() {
        send(FromPrelude::Display { data: bundle(value), display_id: display_id.clone() });
    } else {
        print_plain(value);
    }
    DisplayHandle { display_id }
}

impl DisplayHandle {
    /// Replaces what this handle's output area shows with `value`.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let h = display(&"0%");
    /// for p in [50, 100] { h.update(&format!("{p}%")); }
    /// ```
    pub fn update(&self, value: &(impl Displayable + ?Sized)) {
        if in_kernel() {
            send(FromPrelude::Update { data: bundle(value), display_id: self.display_id.clone() });
        } else {
            print_plain(value);
        }
    }

    /// The Jupyter `display_id` of this output area.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let (a, b) = (display(&"a"), display(&"b"));
    /// assert_ne!(a.display_id(), b.display_id());
    /// ```
    pub fn display_id(&self) -> &str {
        &self.display_id
    }
}

/// Clears the cell's output; with `wait`, only when the next output arrives (no flicker).
///
/// ```
/// torchbook::display::clear_output(true);
/// ```
pub fn clear_output(wait: bool) {
    if in_kernel() {
        send(FromPrelude::Clear { wait });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_plain_fallback_drops_tags() {
        let bundle = Html::new("<b>loss</b> 0.5").mime_bundle();
        assert_eq!(bundle[0], ("text/plain".to_owned(), "loss 0.5".to_owned()));
    }

    #[test]
    fn display_ids_are_unique() {
        let a = display(&"a");
        let b = display(&"b");
        assert_ne!(a.display_id(), b.display_id());
    }
}
