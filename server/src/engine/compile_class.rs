//! Classes to bytecode (§15.7.14 ClassDefinitionEvaluation) and `super`.
//!
//! A class compiles to a scope holding its own name and two hidden bindings
//! that `MakeClass` declares: `%proto` (the prototype) and `%ctor` (the class),
//! the home objects `super.x` starts from in instance and static members.
//! Instance fields compile to one initialiser function that construction
//! calls with the new object as `this`; static fields to one that the class
//! definition calls with the class as `this`, after every method is defined.

use std::rc::Rc;

use tree_sitter::Node;

use super::bytecode::{DeclKind, DefineKind, Op};
use super::compile::{has_token, Compiler, FnBuilder, THIS_BINDING};
use super::value::Value;
use crate::syntax::js::named_children_but_comments;
use crate::syntax::KindName;

/// What `this` and `super` mean in the function being compiled.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct MemberContext {
    /// `this` is the hidden binding `%this`: a derived constructor, and the
    /// arrows inside it, see `this` only once `super()` has bound it.
    pub derived_this: bool,
    /// Where `super.x` looks, if `super` is allowed here.
    pub home: Option<Home>,
    /// `super(...)` is allowed: directly in a derived constructor.
    pub super_call: bool,
    /// The function is a class constructor (`new` may call it).
    pub is_constructor: bool,
}

impl MemberContext {
    /// Arrows keep `this` and `super` of the function around them; calling
    /// `super()` from one is not modelled.
    pub(crate) fn in_arrow(self) -> Self {
        MemberContext {
            super_call: false,
            is_constructor: false,
            ..self
        }
    }
}

/// The home object of a method (§10.2.5 MakeMethod).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Home {
    Prototype,
    Constructor,
}

impl Home {
    pub(crate) fn binding(self) -> &'static str {
        match self {
            Home::Prototype => PROTO_BINDING,
            Home::Constructor => CTOR_BINDING,
        }
    }
}

pub(crate) const PROTO_BINDING: &str = "%proto";
pub(crate) const CTOR_BINDING: &str = "%ctor";

/// The members of a class body, sorted by what ClassDefinitionEvaluation does with them.
#[derive(Default)]
struct Members<'t> {
    constructor: Option<Node<'t>>,
    methods: Vec<Node<'t>>,
    instance_fields: Vec<Node<'t>>,
    static_fields: Vec<Node<'t>>,
}

impl<'s> Compiler<'s> {
    /// A member name as the engine stores it: `#x` becomes the key of the
    /// innermost class that declares it (`#x@3`), so two classes' `#x` differ.
    pub(crate) fn property_name(&self, property: Node) -> String {
        let text = self.text(property);
        if property.kind_name() != "private_property_identifier" {
            return text.to_owned();
        }
        self.private_names
            .iter()
            .rev()
            .find_map(|scope| scope.iter().find(|(name, _)| name == text))
            .map_or_else(|| format!("{text}@undeclared"), |(_, key)| key.clone())
    }

    /// The `.name` of a member expression where the engine does not model a
    /// private `#name` (optional chains, destructuring targets); `None` once
    /// it has abstained.
    pub(crate) fn public_property(
        &self,
        b: &mut FnBuilder,
        member: Node,
        malformed: &str,
    ) -> Option<Rc<str>> {
        let Some(property) = member.child_by_field_id(crate::field!("property")) else {
            b.abstain(malformed);
            return None;
        };
        if property.kind_name() == "private_property_identifier" {
            b.abstain("private fields are not modelled");
            return None;
        }
        Some(Rc::from(self.text(property)))
    }

    /// The private names a class body declares, each with its unique key.
    fn declare_private_names(&mut self, body: Node) {
        let mut scope = Vec::new();
        for member in named_children_but_comments(body) {
            let key = match member.kind_name() {
                "method_definition" => member.child_by_field_id(crate::field!("name")),
                "field_definition" => member.child_by_field_id(crate::field!("property")),
                _ => None,
            };
            if let Some(key) = key.filter(|k| k.kind_name() == "private_property_identifier") {
                let name = self.text(key).to_owned();
                if !scope.iter().any(|(n, _)| *n == name) {
                    self.private_counter += 1;
                    let unique = format!("{name}@{}", self.private_counter);
                    scope.push((name, unique));
                }
            }
        }
        self.private_names.push(scope);
    }

    fn context(&self) -> MemberContext {
        self.member_contexts.last().copied().unwrap_or_default()
    }

    pub(crate) fn this(&mut self, b: &mut FnBuilder) {
        if self.context().derived_this {
            b.emit(Op::Load(Rc::from(THIS_BINDING)));
        } else {
            b.emit(Op::LoadThis);
        }
    }

    /// Pushes the home object for `super.x`; false (after abstaining) where
    /// `super` is not allowed or not modelled (object literal methods).
    pub(crate) fn super_home(&mut self, b: &mut FnBuilder) -> bool {
        match self.context().home {
            Some(home) => {
                b.emit(Op::Load(Rc::from(home.binding())));
                true
            }
            None => {
                b.abstain("`super` outside a class method is not modelled");
                false
            }
        }
    }

    pub(crate) fn super_property(&mut self, b: &mut FnBuilder, name: &str) {
        self.this(b);
        if self.super_home(b) {
            b.emit(Op::GetSuper(Rc::from(name)));
        }
    }

    pub(crate) fn super_call(&mut self, b: &mut FnBuilder, args: Option<Node>) {
        if !self.context().super_call {
            return b.abstain("`super()` outside a derived constructor's own body is not modelled");
        }
        match self.arguments(b, args) {
            Some((argc, false)) => {
                b.emit(Op::SuperCall { argc });
            }
            Some((_, true)) => {
                b.emit(Op::SuperCallSpread);
            }
            None => {}
        }
    }

    /// A class declaration's or expression's value, left on the stack.
    /// `binding` names an anonymous class expression (`const A = class {}`).
    pub(crate) fn class(&mut self, b: &mut FnBuilder, node: Node, binding: Option<&str>) {
        // All parts of a class are strict (§11.2.2): `extends`, methods, fields.
        let enclosing_strict = std::mem::replace(&mut self.strict, true);
        self.strict_class(b, node, binding);
        self.strict = enclosing_strict;
    }

    fn strict_class(&mut self, b: &mut FnBuilder, node: Node, binding: Option<&str>) {
        let own_name = node
            .child_by_field_id(crate::field!("name"))
            .map(|n| self.text(n));
        let name: Rc<str> = Rc::from(own_name.or(binding).unwrap_or(""));
        let children = named_children_but_comments(node);
        if children.iter().any(|c| c.kind_name() == "decorator") {
            return b.abstain("decorators are not modelled");
        }
        let heritage = children
            .iter()
            .find(|c| c.kind_name() == "class_heritage")
            .and_then(|h| named_children_but_comments(*h).into_iter().next());
        let Some(body) = node.child_by_field_id(crate::field!("body")) else {
            return b.abstain("a class without a body");
        };
        let Some(members) = self.class_members(b, body) else {
            return;
        };
        let derived = heritage.is_some();
        b.emit(Op::PushScope);
        b.scopes += 1;
        if let Some(own) = own_name {
            b.emit(Op::Declare(Rc::from(own), DeclKind::Uninitialised));
        }
        if let Some(heritage) = heritage {
            self.expression(b, heritage);
        }
        self.declare_private_names(body);
        match members.constructor {
            Some(constructor) => {
                self.next_member = Some(MemberContext {
                    derived_this: derived,
                    home: Some(Home::Prototype),
                    super_call: derived,
                    is_constructor: true,
                });
                let id = self.compile_function(constructor, Some(&name));
                b.emit(Op::Closure(id));
            }
            None => {
                b.emit(Op::Push(Value::Undefined));
            }
        }
        self.field_initializer(b, &members.instance_fields, &name, Home::Prototype);
        b.emit(Op::MakeClass {
            name: name.clone(),
            derived,
        });
        for method in members.methods {
            self.method(b, method);
        }
        if !members.static_fields.is_empty() {
            b.emit(Op::Dup);
            self.field_initializer(b, &members.static_fields, &name, Home::Constructor);
            b.emit(Op::Call {
                argc: 0,
                with_this: true,
            });
            b.emit(Op::Pop);
        }
        self.private_names.pop();
        if let Some(own) = own_name {
            b.emit(Op::Dup);
            b.emit(Op::Declare(Rc::from(own), DeclKind::Const));
        }
        b.scopes -= 1;
        b.emit(Op::PopScope);
    }

    /// Sorts a class body; `None` (after abstaining) on a member the engine
    /// does not model.
    fn class_members<'t>(&mut self, b: &mut FnBuilder, body: Node<'t>) -> Option<Members<'t>> {
        let mut members = Members::default();
        for member in named_children_but_comments(body) {
            match member.kind_name() {
                "method_definition" => {
                    let key = member.child_by_field_id(crate::field!("name"));
                    let is_constructor = !has_token(member, crate::token!("static"))
                        && key.and_then(|k| self.property_key(k)).as_deref() == Some("constructor");
                    if is_constructor {
                        members.constructor = Some(member);
                    } else {
                        members.methods.push(member);
                    }
                }
                "field_definition" => {
                    if has_token(member, crate::token!("static")) {
                        members.static_fields.push(member);
                    } else {
                        members.instance_fields.push(member);
                    }
                }
                "class_static_block" => {
                    b.abstain("`static { }` blocks are not modelled");
                    return None;
                }
                _ => {}
            }
        }
        Some(members)
    }

    /// The key of a method or field, or `None` after abstaining (computed,
    /// private and numeric keys are not modelled).
    fn member_key(&mut self, b: &mut FnBuilder, key: Option<Node>) -> Option<String> {
        match key {
            Some(key) if key.kind_name() == "private_property_identifier" => {
                Some(self.property_name(key))
            }
            Some(key) => {
                let name = self.property_key(key);
                if name.is_none() {
                    b.abstain("computed or numeric member names are not modelled");
                }
                name
            }
            None => {
                b.abstain("a class member without a name");
                None
            }
        }
    }

    /// A method under a computed name (`*[Symbol.iterator]() {...}`): the
    /// key is evaluated, then the method defined (`Op::DefineComputed`).
    fn computed_method(&mut self, b: &mut FnBuilder, method: Node, computed: Node) {
        let Some(key) = computed.named_child(0) else {
            return b.abstain("an empty computed member name");
        };
        let is_static = has_token(method, crate::token!("static"));
        if !is_static {
            b.emit(Op::Load(Rc::from(PROTO_BINDING)));
        }
        self.expression(b, key);
        self.next_member = Some(MemberContext {
            home: Some(if is_static {
                Home::Constructor
            } else {
                Home::Prototype
            }),
            ..MemberContext::default()
        });
        let id = self.compile_function(method, None);
        b.emit(Op::Closure(id));
        b.emit(Op::DefineComputed(
            accessor_kind(method).unwrap_or(DefineKind::Method),
        ));
        if !is_static {
            b.emit(Op::Pop);
        }
    }

    /// Defines one method, getter or setter on the class (static) or its
    /// prototype; the class stays on the stack.
    fn method(&mut self, b: &mut FnBuilder, method: Node) {
        let span = b.at(method);
        let name = method.child_by_field_id(crate::field!("name"));
        if let Some(computed) = name.filter(|n| n.kind_name() == "computed_property_name") {
            self.computed_method(b, method, computed);
            return b.restore(span);
        }
        let Some(key) = self.member_key(b, method.child_by_field_id(crate::field!("name"))) else {
            return b.restore(span);
        };
        let is_static = has_token(method, crate::token!("static"));
        let home = if is_static {
            Home::Constructor
        } else {
            Home::Prototype
        };
        if !is_static {
            b.emit(Op::Load(Rc::from(PROTO_BINDING)));
        }
        self.next_member = Some(MemberContext {
            home: Some(home),
            ..MemberContext::default()
        });
        let id = self.compile_function(method, Some(&key));
        b.emit(Op::Closure(id));
        b.emit(Op::Define {
            name: Rc::from(key.as_str()),
            kind: accessor_kind(method).unwrap_or(DefineKind::Method),
        });
        if !is_static {
            b.emit(Op::Pop);
        }
        b.restore(span);
    }

    /// Pushes a closure that defines `fields` on its `this` in order, or
    /// `undefined` when there are none.
    fn field_initializer(&mut self, b: &mut FnBuilder, fields: &[Node], class: &str, home: Home) {
        let (Some(first), Some(last)) = (fields.first(), fields.last()) else {
            b.emit(Op::Push(Value::Undefined));
            return;
        };
        let id = self.reserve();
        self.member_contexts.push(MemberContext {
            home: Some(home),
            ..MemberContext::default()
        });
        let mut init = FnBuilder::new(false);
        let outer = init.at(*first);
        for field in fields {
            init.at(*field);
            let Some(key) = self.member_key(
                &mut init,
                field.child_by_field_id(crate::field!("property")),
            ) else {
                continue;
            };
            init.emit(Op::LoadThis);
            match field.child_by_field_id(crate::field!("value")) {
                Some(value) => self.expression_named(&mut init, value, Some(&key)),
                None => {
                    init.emit(Op::Push(Value::Undefined));
                }
            }
            init.emit(Op::Define {
                name: Rc::from(key.as_str()),
                kind: DefineKind::Field,
            });
            init.emit(Op::Pop);
        }
        init.emit(Op::Push(Value::Undefined));
        init.emit(Op::Return);
        init.restore(outer);
        self.member_contexts.pop();
        let name = Rc::from(format!("{class} field initialisers").as_str());
        self.finish(id, init, name, None, first.start_byte()..last.end_byte());
        b.emit(Op::Closure(id));
    }
}

/// `get x()` or `set x(v)`: how a class or object literal defines the member.
pub(crate) fn accessor_kind(method: Node) -> Option<DefineKind> {
    if has_token(method, crate::token!("get")) {
        Some(DefineKind::Getter)
    } else if has_token(method, crate::token!("set")) {
        Some(DefineKind::Setter)
    } else {
        None
    }
}
