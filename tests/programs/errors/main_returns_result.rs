// A main function that returns Result<(), Box<dyn Error>> and uses `?` throughout.
use std::collections::BTreeMap;
use std::fmt;

#[derive(Debug)]
struct ConfigError {
    line: usize,
    message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for ConfigError {}

type Result<T> = std::result::Result<T, ConfigError>;

fn parse_config(text: &str) -> Result<BTreeMap<String, u32>> {
    let mut map = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = line.split_once('=').ok_or(ConfigError {
            line: i + 1,
            message: format!("missing '=' in {:?}", line),
        })?;
        let value: u32 = value.trim().parse().map_err(|e| ConfigError {
            line: i + 1,
            message: format!("bad number: {}", e),
        })?;
        map.insert(key.trim().to_string(), value);
    }
    Ok(map)
}

fn main() -> std::result::Result<(), Box<dyn std::error::Error>> {
    let good = "# settings\nwidth = 80\nheight = 24\n\ndepth=3";
    let config = parse_config(good)?;
    for (key, value) in &config {
        println!("{} => {}", key, value);
    }

    let bad = "width = 80\nheight twenty";
    match parse_config(bad) {
        Ok(_) => println!("unexpectedly parsed"),
        Err(e) => println!("expected failure: {}", e),
    }

    let total: u32 = config.values().sum();
    println!("total = {}", total);
    let n: i32 = "17".parse()?;
    println!("parsed {} with ?", n);
    Ok(())
}
