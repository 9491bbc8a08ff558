//! `package.json` as Node reads it for resolution. Objects keep their key
//! order, because `exports` conditions are tried in the order they are written.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use super::fs::FileSystem;

/// A JSON value whose objects keep insertion order.
#[derive(Clone, Debug, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    /// The value of `key`, when this is an object holding it (the last one
    /// written wins, as in `JSON.parse`).
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(entries) => entries.iter().rev().find(|(k, _)| k == key).map(|e| &e.1),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(text) => Some(text),
            _ => None,
        }
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Json, E> {
        Ok(Json::Number(v as f64))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Json, E> {
        Ok(Json::Number(v as f64))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Json, E> {
        Ok(Json::Number(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Json, E> {
        Ok(Json::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Json, E> {
        Ok(Json::String(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut entries = Vec::new();
        while let Some((key, value)) = map.next_entry::<String, Json>()? {
            entries.push((key, value));
        }
        Ok(Json::Object(entries))
    }
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Json, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

/// A `package.json`: where it is and what it says.
#[derive(Clone, Debug)]
pub struct PackageJson {
    /// The folder holding it.
    pub dir: PathBuf,
    pub json: Json,
}

impl PackageJson {
    /// The manifest in `dir`: `None` when there is none, `Err` when it does not parse
    /// (Node throws on such a file rather than skipping it).
    pub fn read(fs: &impl FileSystem, dir: &Path) -> Option<Result<PackageJson, String>> {
        let path = dir.join("package.json");
        let text = fs.read(&path)?;
        Some(
            serde_json::from_str(&text)
                .map(|json| PackageJson {
                    dir: dir.to_path_buf(),
                    json,
                })
                .map_err(|err| format!("{} does not parse: {err}", path.display())),
        )
    }

    pub fn field(&self, key: &str) -> Option<&Json> {
        self.json.get(key).filter(|value| **value != Json::Null)
    }

    pub fn str_field(&self, key: &str) -> Option<&str> {
        self.json.get(key).and_then(Json::as_str)
    }
}

/// The package scope of `dir`: the nearest `package.json` at or above it,
/// not looking past a `node_modules` folder (Node's `readPackageScope`).
pub fn package_scope(fs: &impl FileSystem, dir: &Path) -> Option<Result<PackageJson, String>> {
    for folder in dir.ancestors() {
        if folder
            .file_name()
            .is_some_and(|name| name == "node_modules")
        {
            return None;
        }
        if let Some(found) = PackageJson::read(fs, folder) {
            return Some(found);
        }
    }
    None
}

/// The `engines.node` range of the package scope of `dir` (see
/// [`package_scope`]): the Node versions the package says it runs on.
pub fn engines_node(fs: &impl FileSystem, dir: &Path) -> Option<String> {
    let package = package_scope(fs, dir)?.ok()?;
    let range = package.field("engines")?.get("node")?.as_str()?;
    Some(range.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_keep_the_order_they_are_written_in() {
        let json: Json = serde_json::from_str(r#"{"b": 1, "a": [true, null, "x"]}"#).unwrap();
        let Json::Object(entries) = &json else {
            panic!("an object")
        };
        let keys: Vec<&str> = entries.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["b", "a"]);
        assert_eq!(
            json.get("a"),
            Some(&Json::Array(vec![
                Json::Bool(true),
                Json::Null,
                Json::String("x".into())
            ]))
        );
    }

    #[test]
    fn engines_node_is_read_from_the_nearest_package() {
        let fs = crate::workspace::MemoryFs::with(&[
            ("/p/package.json", r#"{"engines":{"node":">=8"}}"#),
            ("/p/sub/package.json", r#"{"name":"sub"}"#),
            ("/q/package.json", r#"{"engines":{"npm":">=6"}}"#),
        ]);
        assert_eq!(
            engines_node(&fs, Path::new("/p/src")).as_deref(),
            Some(">=8")
        );
        // The nearest manifest is the scope, even without `engines`.
        assert_eq!(engines_node(&fs, Path::new("/p/sub/lib")), None);
        assert_eq!(engines_node(&fs, Path::new("/q")), None);
        assert_eq!(engines_node(&fs, Path::new("/r")), None);
    }
}
