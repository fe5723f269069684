//! Running cells: the evcxr session, its build directory, output streaming and error reports.

pub mod debug_style;
pub mod forward;
pub mod output;
pub mod report;
pub mod rustc_wrapper;
pub mod session;
pub mod store;
