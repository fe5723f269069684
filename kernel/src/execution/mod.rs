//! Running cells: the evcxr session, its build directory, output streaming and error reports.

pub mod cell_build;
pub mod cell_linker;
pub mod cell_output;
pub mod cell_process;
pub mod cell_source;
pub mod cell_syntax;
pub mod debug_style;
pub mod debug_tree;
pub mod forward;
pub mod report;
pub mod rustc_wrapper;
pub mod session;
pub mod store;
pub mod variables;
