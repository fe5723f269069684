//! Notebook parameters: values papermill injects, kept in the type the notebook declared.
//!
//! A notebook's cell tagged `parameters` declares defaults (`let lr = 0.01; let epochs: usize
//! = 3; let name = "base";`). papermill (`-p epochs 7`) adds a cell after it; Torchbook's
//! translator (`kernel/python/torchbook_papermill.py`) writes each value as JSON and passes it
//! with the declared variable to [`parameter`]:
//!
//! ```
//! use torchbook::parameter::parameter;
//! let epochs: usize = 3; // the parameters cell
//! let epochs = parameter(&epochs, "epochs", "7"); // what papermill injects
//! assert_eq!(epochs, 7usize);
//! ```
//!
//! so the new value has the declared type (a `usize` stays `usize`, a float stays a float, a
//! `&str` stays `&str`), and a value that cannot be one stops the cell with an error naming
//! the parameter, its type and the value.

use serde_json::Value;

/// Why an injected value does not fit its parameter.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ParameterError {
    /// The text is not JSON (the translator always writes JSON).
    #[error("parameter `{name}`: {value:?} is not a JSON value ({why})")]
    NotJson {
        /// The parameter.
        name: String,
        /// What was injected.
        value: String,
        /// serde_json's reason.
        why: String,
    },
    /// The value is not one of the declared type.
    #[error("parameter `{name}` is declared as {declared}, and {value} is not one{detail}")]
    WrongType {
        /// The parameter.
        name: String,
        /// Its declared Rust type.
        declared: &'static str,
        /// The value, as JSON.
        value: String,
        /// More about why, or empty.
        detail: String,
    },
}

/// A type a notebook parameter can be declared with.
pub trait Parameter: Sized {
    /// The value `value` (JSON) as this type, or why not.
    fn from_json(value: &Value) -> Result<Self, String>;
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a bool",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a dict",
    }
}

macro_rules! integer_parameter {
    ($($t:ty),*) => {$(
        impl Parameter for $t {
            fn from_json(value: &Value) -> Result<Self, String> {
                let n = value.as_number().ok_or_else(|| format!(" (it is {})", kind_of(value)))?;
                if let Some(i) = n.as_i64() {
                    return <$t>::try_from(i).map_err(|_| " (out of range)".to_owned());
                }
                if let Some(u) = n.as_u64() {
                    return <$t>::try_from(u).map_err(|_| " (out of range)".to_owned());
                }
                Err(" (not a whole number)".to_owned())
            }
        }
    )*};
}
integer_parameter!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize);

fn float_of(value: &Value) -> Result<f64, String> {
    match value {
        Value::Number(n) => n.as_f64().ok_or_else(|| " (not representable)".to_owned()),
        // JSON has no NaN or infinity: the translator writes them as strings.
        Value::String(s) if matches!(s.as_str(), "nan" | "inf" | "-inf") => Ok(s.parse().unwrap_or(f64::NAN)),
        other => Err(format!(" (it is {})", kind_of(other))),
    }
}

impl Parameter for f64 {
    fn from_json(value: &Value) -> Result<Self, String> {
        float_of(value)
    }
}

impl Parameter for f32 {
    fn from_json(value: &Value) -> Result<Self, String> {
        float_of(value).map(|v| v as f32)
    }
}

impl Parameter for bool {
    fn from_json(value: &Value) -> Result<Self, String> {
        value.as_bool().ok_or_else(|| format!(" (it is {})", kind_of(value)))
    }
}

impl Parameter for String {
    fn from_json(value: &Value) -> Result<Self, String> {
        match value {
            Value::String(s) => Ok(s.clone()),
            // `-p name 5` reaches papermill as the number 5; as a string it is its text.
            Value::Number(n) => Ok(n.to_string()),
            other => Err(format!(" (it is {})", kind_of(other))),
        }
    }
}

impl Parameter for &'static str {
    fn from_json(value: &Value) -> Result<Self, String> {
        // A parameter is set once per run: leaking its text is what `&'static` asks for.
        String::from_json(value).map(|s| &*Box::leak(s.into_boxed_str()))
    }
}

impl Parameter for char {
    fn from_json(value: &Value) -> Result<Self, String> {
        let s = String::from_json(value)?;
        let mut chars = s.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => Ok(c),
            _ => Err(" (not a single character)".to_owned()),
        }
    }
}

impl<T: Parameter> Parameter for Option<T> {
    fn from_json(value: &Value) -> Result<Self, String> {
        match value {
            Value::Null => Ok(None),
            other => T::from_json(other).map(Some),
        }
    }
}

impl<T: Parameter> Parameter for Vec<T> {
    fn from_json(value: &Value) -> Result<Self, String> {
        let items = value.as_array().ok_or_else(|| format!(" (it is {})", kind_of(value)))?;
        items
            .iter()
            .enumerate()
            .map(|(i, v)| T::from_json(v).map_err(|e| format!(" (item {i}{e})")))
            .collect()
    }
}

/// `value` (JSON) as the type of `declared`, or why not.
///
/// ```
/// use torchbook::parameter::{try_parameter, ParameterError};
/// let lr = 0.01;
/// assert_eq!(try_parameter(&lr, "lr", "1"), Ok(1.0));
/// let epochs: usize = 3;
/// let err = try_parameter(&epochs, "epochs", "0.5").unwrap_err();
/// assert_eq!(err.to_string(), "parameter `epochs` is declared as usize, and 0.5 is not one (not a whole number)");
/// ```
pub fn try_parameter<T: Parameter>(_declared: &T, name: &str, value: &str) -> Result<T, ParameterError> {
    let json: Value = serde_json::from_str(value).map_err(|e| ParameterError::NotJson {
        name: name.to_owned(),
        value: value.to_owned(),
        why: e.to_string(),
    })?;
    T::from_json(&json).map_err(|detail| ParameterError::WrongType {
        name: name.to_owned(),
        declared: std::any::type_name::<T>(),
        value: json.to_string(),
        detail,
    })
}

/// `value` (JSON) as the type of `declared`; panics with the reason when it is not one (in a
/// notebook that fails the injected cell, and papermill reports the message).
///
/// ```
/// use torchbook::parameter::parameter;
/// let name = "base";
/// let name = parameter(&name, "name", r#""tuned""#);
/// let _: &str = name;
/// assert_eq!(name, "tuned");
/// ```
pub fn parameter<T: Parameter>(declared: &T, name: &str, value: &str) -> T {
    match try_parameter(declared, name, value) {
        Ok(v) => v,
        Err(e) => panic!("{e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_declared_type_is_kept_and_bad_values_are_named() {
        assert_eq!(try_parameter(&3usize, "epochs", "7"), Ok(7usize));
        assert_eq!(try_parameter(&0.01f32, "lr", "0.1"), Ok(0.1f32));
        assert!(try_parameter(&0.0f64, "lr", "\"nan\"").unwrap().is_nan());
        assert_eq!(try_parameter(&String::new(), "name", "5"), Ok("5".to_owned()));
        assert_eq!(try_parameter(&vec![1u8], "sizes", "[2, 3]"), Ok(vec![2u8, 3]));
        assert_eq!(try_parameter(&Some(1i32), "seed", "null"), Ok(None));
        let negative = try_parameter(&3usize, "epochs", "-1").unwrap_err();
        assert_eq!(
            negative.to_string(),
            "parameter `epochs` is declared as usize, and -1 is not one (out of range)"
        );
        let text = try_parameter(&3i64, "epochs", "\"many\"").unwrap_err();
        assert_eq!(
            text.to_string(),
            "parameter `epochs` is declared as i64, and \"many\" is not one (it is a string)"
        );
        let item = try_parameter(&vec![1u8], "sizes", "[2, 300]").unwrap_err().to_string();
        assert!(item.ends_with("(item 1 (out of range))"), "{item}");
        assert!(matches!(try_parameter(&true, "flag", "yes"), Err(ParameterError::NotJson { .. })));
    }
}
