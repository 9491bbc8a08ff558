//! The Web built-ins of Node 24 whose methods return native promises, for
//! [`super::PromiseDeclarations`]: the body readers of `Response`, `Request`
//! and `Blob`, the stream readers and writers, and the `WebAssembly`
//! compilers (each measured on Node 24 in tests/decided_kinds.rs:
//! `Object.getPrototypeOf(p) === Promise.prototype`).
//!
//! The receiver must certainly be such an object: `new Response(…)` of a
//! global the file does not bind, a name bound once (never assigned) to one,
//! what `getReader()`/`getWriter()`/`clone()`/`.body` of one give, or the
//! result of `await fetch(…)`. A parameter named `blob` stays undecided: any
//! object may have an `arrayBuffer` method. Globals Node does not have
//! (`navigator.gpu`) are not here.

use tree_sitter::Node;

use super::{Decision, PromiseDeclarations};
use crate::syntax::js::{has_optional_chain, unwrap_parens};

/// The Web classes whose instances the table knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum WebObject {
    Response,
    Request,
    Blob,
    File,
    ReadableStream,
    StreamReader,
    WritableStream,
    StreamWriter,
}

impl WebObject {
    /// The global constructor of that name.
    fn constructed_by(name: &str) -> Option<Self> {
        Some(match name {
            "Response" => Self::Response,
            "Request" => Self::Request,
            "Blob" => Self::Blob,
            "File" => Self::File,
            "ReadableStream" => Self::ReadableStream,
            "WritableStream" => Self::WritableStream,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Self::Response => "Response",
            Self::Request => "Request",
            Self::Blob => "Blob",
            Self::File => "File",
            Self::ReadableStream => "ReadableStream",
            Self::StreamReader => "ReadableStream reader",
            Self::WritableStream => "WritableStream",
            Self::StreamWriter => "WritableStream writer",
        }
    }

    /// The methods whose calls return a native promise.
    fn promise_methods(self) -> &'static [&'static str] {
        const BODY: &[&str] = &["arrayBuffer", "text", "json", "blob", "formData", "bytes"];
        match self {
            Self::Response | Self::Request => BODY,
            Self::Blob | Self::File => &["arrayBuffer", "text", "bytes"],
            Self::ReadableStream => &["cancel", "pipeTo"],
            Self::StreamReader => &["read", "cancel"],
            Self::WritableStream => &["abort", "close"],
            Self::StreamWriter => &["write", "close", "abort"],
        }
    }

    /// What `object.method()` returns, where that is another Web object.
    fn method_result(self, method: &str) -> Option<Self> {
        match (self, method) {
            (Self::Response | Self::Request, "clone") => Some(self),
            (Self::ReadableStream, "getReader") => Some(Self::StreamReader),
            (Self::WritableStream, "getWriter") => Some(Self::StreamWriter),
            _ => None,
        }
    }
}

/// The `WebAssembly` functions that return a native promise.
const WEBASSEMBLY_PROMISES: &[&str] = &[
    "compile",
    "instantiate",
    "compileStreaming",
    "instantiateStreaming",
];

/// How many names a receiver may be followed through.
const MAX_HOPS: u32 = 4;

impl<'t> PromiseDeclarations<'t> {
    /// Why `object.method(…)` is a native promise, when `object` is one of
    /// Node's Web objects (or `WebAssembly`) and `method` returns one.
    pub(super) fn web_builtin_call(&self, object: Node<'t>, method: &str) -> Option<Decision> {
        // A write of a property of that name anywhere, or a computed write
        // through the receiver's name, may replace it.
        if self.assigned_members.contains(method)
            || object.kind() == "identifier" && self.computed_writes.contains(self.text(object))
        {
            return None;
        }
        if object.kind() == "identifier" && self.text(object) == "WebAssembly" {
            return (self.is_global("WebAssembly") && WEBASSEMBLY_PROMISES.contains(&method))
                .then(|| Decision::new(format!("`WebAssembly.{method}(…)` is a native promise")));
        }
        let (kind, why) = self.web_object(object, 0)?;
        kind.promise_methods().contains(&method).then(|| {
            Decision::new(format!(
                "{why}, and `.{method}()` of a `{}` returns a native promise",
                kind.name()
            ))
        })
    }

    /// Whether `name` is the global: the file binds it nowhere.
    fn is_global(&self, name: &str) -> bool {
        !self.bindings.contains_key(name) && !self.writes.contains_key(name)
    }

    /// Which Web object `expr` certainly is, and why, as a clause.
    fn web_object(&self, expr: Node<'t>, hops: u32) -> Option<(WebObject, String)> {
        if hops > MAX_HOPS || has_optional_chain(expr) {
            return None;
        }
        let expr = unwrap_parens(expr);
        match expr.kind() {
            "new_expression" => {
                let constructor =
                    unwrap_parens(expr.child_by_field_id(crate::field!("constructor"))?);
                let name = self.text(constructor);
                let kind = (constructor.kind() == "identifier" && self.is_global(name))
                    .then(|| WebObject::constructed_by(name))??;
                Some((kind, format!("`new {name}(…)` is Node's `{name}`")))
            }
            "await_expression" => {
                let awaited = unwrap_parens(expr.named_child(0)?);
                let callee = awaited.child_by_field_id(crate::field!("function"))?;
                let fetches = awaited.kind() == "call_expression"
                    && callee.kind() == "identifier"
                    && self.text(callee) == "fetch"
                    && self.is_global("fetch");
                fetches.then(|| {
                    (
                        WebObject::Response,
                        "`await fetch(…)` is Node's `Response`".to_owned(),
                    )
                })
            }
            "identifier" => {
                let name = self.text(expr);
                let binding = self.binding_at(name, expr)?;
                if binding.kind() != "variable_declarator"
                    || binding
                        .child_by_field_id(crate::field!("name"))
                        .is_none_or(|n| n.kind() != "identifier")
                {
                    return None;
                }
                let value = binding.child_by_field_id(crate::field!("value"))?;
                let (kind, why) = self.web_object(value, hops + 1)?;
                Some((
                    kind,
                    format!(
                        "`{name}` holds a `{}` (line {}): {why}",
                        kind.name(),
                        self.line(binding)
                    ),
                ))
            }
            "member_expression" => {
                let object = expr.child_by_field_id(crate::field!("object"))?;
                let property = self.text(expr.child_by_field_id(crate::field!("property"))?);
                let (kind, why) = self.web_object(object, hops + 1)?;
                (matches!(kind, WebObject::Response | WebObject::Request)
                    && property == "body"
                    && !self.assigned_members.contains("body"))
                .then(|| {
                    (
                        WebObject::ReadableStream,
                        format!("{why}, whose `.body` is a `ReadableStream`"),
                    )
                })
            }
            "call_expression" => {
                let callee = unwrap_parens(expr.child_by_field_id(crate::field!("function"))?);
                if callee.kind() != "member_expression" || has_optional_chain(callee) {
                    return None;
                }
                let object = callee.child_by_field_id(crate::field!("object"))?;
                let method = self.text(callee.child_by_field_id(crate::field!("property"))?);
                if self.assigned_members.contains(method) {
                    return None;
                }
                let (kind, why) = self.web_object(object, hops + 1)?;
                let result = kind.method_result(method)?;
                Some((
                    result,
                    format!("{why}, and its `.{method}()` gives a `{}`", result.name()),
                ))
            }
            _ => None,
        }
    }
}
