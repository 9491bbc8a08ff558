//! Reading a TypeScript tree's declarations once, and resolving what an
//! expression's declared type is: a name's annotation, a type name's
//! interface, class or alias (with `extends` in the same file), a member's
//! declared return type.

use std::collections::{BTreeMap, HashMap, HashSet};

use tree_sitter::{Node, Tree};

use super::{key, DeclaredPromise, DeclaredTypes, VoidCallback};

/// How many `extends` (or aliases) a member lookup follows.
const MAX_HOPS: usize = 8;

/// One binding of a name: its declared type, or none.
#[derive(Clone, Copy)]
enum Binding<'t> {
    /// Annotated: the type node (inside the `type_annotation`).
    Typed(Node<'t>),
    /// A `const` without an annotation, initialised with `value`.
    Const(Node<'t>),
    /// Anything else: a function, a class, an import, an unannotated
    /// parameter or `let`, a destructured name.
    Other,
}

/// A TypeScript file's declarations, read in one walk.
pub struct Declarations<'t> {
    source: &'t str,
    /// Interfaces, classes and type aliases by name.
    types: HashMap<&'t str, Vec<Node<'t>>>,
    /// Function declarations and signatures (`declare function`, overloads) by name.
    functions: HashMap<&'t str, Vec<Node<'t>>>,
    /// Every other binding of a value name.
    bindings: HashMap<&'t str, Vec<Binding<'t>>>,
    /// The `const` declarators an imported file exports (appended).
    consts: HashMap<&'t str, Vec<Node<'t>>>,
    /// The names namespace imports bind (`api` of `import * as api`).
    namespaces: HashSet<&'t str>,
    /// Names assigned somewhere (`f = ...`).
    assigned: HashSet<&'t str>,
    /// Whether the file binds or declares `Promise` itself.
    promise_shadowed: bool,
    /// What to decide: awaited operands, dropped expressions.
    operands: Vec<Node<'t>>,
    /// Calls passing an async function.
    calls_with_async_arguments: Vec<Node<'t>>,
    /// The length of the file's own text: past it, the appended imported
    /// declarations (see `imported`), which are read but decide nothing there.
    own_len: usize,
    /// The names those declare (their imports bind no value here).
    imported_names: Vec<String>,
    appended: Vec<super::imported::Appended>,
    /// The namespaces and ambient modules met so far (the walk is in
    /// document order, so a declaration inside one comes after it).
    skip_inside: Vec<std::ops::Range<usize>>,
}

fn field<'t>(node: Node<'t>, name: &str) -> Option<Node<'t>> {
    node.child_by_field_name(name)
}

/// The type inside a `type_annotation` (or the node itself), without parentheses.
fn annotated_type(node: Node) -> Option<Node> {
    let mut node = if node.kind() == "type_annotation" {
        node.named_child(0)?
    } else {
        node
    };
    while node.kind() == "parenthesized_type" {
        node = node.named_child(0)?;
    }
    Some(node)
}

fn unwrap_parens(mut node: Node) -> Node {
    while node.kind() == "parenthesized_expression" {
        match node.named_child(0) {
            Some(inner) => node = inner,
            None => break,
        }
    }
    node
}

fn is_async(node: Node) -> bool {
    let mut cursor = node.walk();
    let found = node
        .children(&mut cursor)
        .take_while(|c| !matches!(c.kind(), "formal_parameters" | "identifier" | "=>"))
        .any(|c| c.kind() == "async");
    found
}

fn has_token(node: Node, token: &str) -> bool {
    let mut cursor = node.walk();
    let found = node.children(&mut cursor).any(|c| c.kind() == token);
    found
}

/// The written text of a promise type, `Promise<User>`, when `ty` (a type
/// node) is the global `Promise` with its type argument: nothing else
/// (`PromiseLike`, a union with a promise, a type parameter) proves a call
/// returns a promise.
pub fn promise_type_text<'s>(source: &'s str, ty: Node) -> Option<&'s str> {
    let ty = annotated_type(ty)?;
    let name = field(ty, "name")?;
    (ty.kind() == "generic_type"
        && name.kind() == "type_identifier"
        && &source[name.byte_range()] == "Promise")
        .then(|| &source[ty.byte_range()])
}

impl<'t> Declarations<'t> {
    pub fn new(source: &'t str, tree: &'t Tree) -> Self {
        Self::read(source, tree, source.len(), None)
    }

    /// The declarations of a file's text with its imported declarations
    /// appended (`source` is the combined text, `own_len` the file's own part).
    pub fn with_imports(
        source: &'t str,
        tree: &'t Tree,
        own_len: usize,
        with: &super::imported::WithImports,
    ) -> Self {
        Self::read(source, tree, own_len, Some(with))
    }

    fn read(
        source: &'t str,
        tree: &'t Tree,
        own_len: usize,
        with: Option<&super::imported::WithImports>,
    ) -> Self {
        let mut this = Self {
            own_len,
            imported_names: with.map(|w| w.names.clone()).unwrap_or_default(),
            appended: with.map(|w| w.appended.clone()).unwrap_or_default(),
            source,
            types: HashMap::new(),
            functions: HashMap::new(),
            bindings: HashMap::new(),
            consts: HashMap::new(),
            namespaces: HashSet::new(),
            assigned: HashSet::new(),
            promise_shadowed: false,
            operands: Vec::new(),
            calls_with_async_arguments: Vec::new(),
            skip_inside: Vec::new(),
        };
        // Which kinds `record` reads, by id: comparing each node's kind
        // name made this walk most of a TypeScript file's `check`.
        let language = tree.language();
        let recorded: Vec<bool> = (0..language.node_kind_count() as u16)
            .map(|id| {
                language.node_kind_is_named(id)
                    && language.node_kind_for_id(id).is_some_and(is_recorded)
            })
            .collect();
        let mut cursor = tree.walk();
        'walk: loop {
            let node = cursor.node();
            if recorded
                .get(usize::from(node.kind_id()))
                .copied()
                .unwrap_or(false)
            {
                this.record(node);
            }
            if cursor.goto_first_child() {
                continue;
            }
            while !cursor.goto_next_sibling() {
                if !cursor.goto_parent() {
                    break 'walk;
                }
            }
        }
        this.promise_shadowed = this.types.contains_key("Promise")
            || this.functions.contains_key("Promise")
            || this.bindings.contains_key("Promise");
        this
    }

    fn text(&self, node: Node) -> &'t str {
        &self.source[node.byte_range()]
    }

    fn bind(&mut self, name: Node<'t>, binding: Binding<'t>) {
        // The names bound inside an appended declaration (a method's
        // parameters) are another file's.
        if name.start_byte() >= self.own_len {
            return;
        }
        let text = self.text(name);
        self.bindings.entry(text).or_default().push(binding);
    }

    /// Binds every identifier of a destructuring pattern as [`Binding::Other`].
    fn bind_pattern(&mut self, pattern: Node<'t>) {
        if matches!(
            pattern.kind(),
            "identifier" | "shorthand_property_identifier_pattern"
        ) {
            self.bind(pattern, Binding::Other);
            return;
        }
        // The types inside a pattern bind nothing.
        if pattern.kind() == "type_annotation" {
            return;
        }
        let mut cursor = pattern.walk();
        let children: Vec<Node<'t>> = pattern.named_children(&mut cursor).collect();
        for child in children {
            // `{ a: b }` binds `b`; a default value binds nothing.
            if pattern.kind() == "pair_pattern" && Some(child) == field(pattern, "key") {
                continue;
            }
            if matches!(
                pattern.kind(),
                "assignment_pattern" | "object_assignment_pattern"
            ) && Some(child) == field(pattern, "right")
            {
                continue;
            }
            self.bind_pattern(child);
        }
    }

    fn record(&mut self, node: Node<'t>) {
        let name = || field(node, "name");
        // What a namespace or an ambient module declares is not in scope
        // where its name is written outside it.
        if matches!(node.kind(), "internal_module" | "module") {
            self.skip_inside.push(node.byte_range());
            return;
        }
        if matches!(
            node.kind(),
            "interface_declaration"
                | "class_declaration"
                | "abstract_class_declaration"
                | "type_alias_declaration"
                | "function_declaration"
                | "function_signature"
        ) && (self
            .skip_inside
            .iter()
            .any(|r| r.start <= node.start_byte() && node.end_byte() <= r.end)
            || (node.start_byte() >= self.own_len && !is_top_level(node)))
        {
            return;
        }
        match node.kind() {
            "interface_declaration"
            | "class_declaration"
            | "abstract_class_declaration"
            | "type_alias_declaration" => {
                if let Some(name) = name() {
                    let text = self.text(name);
                    self.types.entry(text).or_default().push(node);
                    if node.kind().ends_with("class_declaration") {
                        self.bind(name, Binding::Other);
                    }
                }
            }
            "class" => {
                if let Some(name) = name() {
                    self.bind(name, Binding::Other);
                }
            }
            "function_declaration" | "function_signature" => {
                if let Some(name) = name() {
                    let text = self.text(name);
                    self.functions.entry(text).or_default().push(node);
                }
            }
            "generator_function_declaration" | "function_expression" | "generator_function" => {
                if let Some(name) = name() {
                    self.bind(name, Binding::Other);
                }
            }
            "variable_declarator" => {
                let Some(name) = name() else { return };
                if name.start_byte() >= self.own_len {
                    // An imported file's exported `const`.
                    let exported = node.parent().is_some_and(|d| {
                        d.kind() == "lexical_declaration"
                            && is_top_level(d)
                            && field(d, "kind").is_some_and(|k| self.text(k) == "const")
                    });
                    if exported && name.kind() == "identifier" {
                        let text = self.text(name);
                        self.consts.entry(text).or_default().push(node);
                    }
                    return;
                }
                if name.kind() != "identifier" {
                    self.bind_pattern(name);
                    return;
                }
                let declaration = node.parent();
                let is_const = declaration.is_some_and(|d| {
                    d.kind() == "lexical_declaration"
                        && field(d, "kind").is_some_and(|k| self.text(k) == "const")
                });
                let binding = match (
                    field(node, "type").and_then(annotated_type),
                    field(node, "value"),
                ) {
                    (Some(ty), _) => Binding::Typed(ty),
                    (None, Some(value)) if is_const => Binding::Const(value),
                    _ => Binding::Other,
                };
                self.bind(name, binding);
            }
            "required_parameter" | "optional_parameter" => {
                let Some(pattern) = field(node, "pattern") else {
                    return;
                };
                // A parameter property (`constructor(private r: R)`) is
                // refused by type stripping; a default value makes an
                // optional parameter's type hold too.
                match (pattern.kind(), field(node, "type").and_then(annotated_type)) {
                    ("identifier", Some(ty)) if node.kind() == "required_parameter" => {
                        self.bind(pattern, Binding::Typed(ty));
                    }
                    ("this", _) => {}
                    _ => self.bind_pattern(pattern),
                }
            }
            "arrow_function" => {
                if let Some(parameter) = field(node, "parameter") {
                    self.bind(parameter, Binding::Other);
                }
            }
            "catch_clause" => {
                if let Some(parameter) = field(node, "parameter") {
                    self.bind_pattern(parameter);
                }
            }
            "for_in_statement" => {
                if let Some(left) = field(node, "left") {
                    if field(node, "kind").is_some() {
                        self.bind_pattern(left);
                    } else if left.kind() == "identifier" {
                        self.assigned.insert(self.text(left));
                    }
                }
            }
            "import_specifier" => {
                if let Some(local) = field(node, "alias").or_else(|| field(node, "name")) {
                    // A declaration appended for it binds it instead.
                    let appended = field(node, "alias").is_none()
                        && self.imported_names.iter().any(|n| n == self.text(local));
                    if !appended {
                        self.bind(local, Binding::Other);
                    }
                }
            }
            "import_clause" | "namespace_import" => {
                let mut cursor = node.walk();
                let names: Vec<Node<'t>> = node
                    .named_children(&mut cursor)
                    .filter(|c| c.kind() == "identifier")
                    .collect();
                for name in names {
                    if node.kind() == "namespace_import" && name.start_byte() < self.own_len {
                        self.namespaces.insert(self.text(name));
                    }
                    self.bind(name, Binding::Other);
                }
            }
            "assignment_expression" | "augmented_assignment_expression" => {
                if let Some(left) = field(node, "left").map(unwrap_parens) {
                    if left.kind() == "identifier" {
                        self.assigned.insert(self.text(left));
                    }
                }
            }
            "update_expression" => {
                if let Some(argument) = field(node, "argument").map(unwrap_parens) {
                    if argument.kind() == "identifier" {
                        self.assigned.insert(self.text(argument));
                    }
                }
            }
            _ if node.start_byte() >= self.own_len
                && matches!(
                    node.kind(),
                    "await_expression" | "expression_statement" | "call_expression"
                ) => {}
            "await_expression" => {
                if let Some(operand) = node.named_child(0) {
                    self.operands.push(unwrap_parens(operand));
                }
            }
            "expression_statement" => {
                if let Some(expression) = node.named_child(0) {
                    self.operands.push(unwrap_parens(expression));
                }
            }
            "call_expression" => {
                if let Some(arguments) = field(node, "arguments") {
                    let mut cursor = arguments.walk();
                    let passes_async = arguments.named_children(&mut cursor).any(|a| {
                        matches!(a.kind(), "arrow_function" | "function_expression") && is_async(a)
                    });
                    if passes_async {
                        self.calls_with_async_arguments.push(node);
                    }
                }
            }
            _ => {}
        }
    }

    /// Every decision the file's declarations make.
    pub fn decide_all(&self) -> DeclaredTypes {
        let mut decided = DeclaredTypes::default();
        if self.promise_shadowed {
            return decided;
        }
        // Callee -> its declaration, or `None` once a call of it is not decided.
        let mut callees: BTreeMap<String, Option<DeclaredPromise>> = BTreeMap::new();
        for &operand in &self.operands {
            let found = self.promise(operand, 0);
            if let Some(callee) = self.callee_key(operand) {
                let entry = callees.entry(callee).or_insert_with(|| found.clone());
                if found.is_none() {
                    *entry = None;
                }
            }
            if let Some(found) = found {
                decided.promises.insert(key(operand), found);
            }
        }
        decided.callees = callees
            .into_iter()
            .filter_map(|(callee, found)| Some((callee, found?)))
            .collect();
        for &call in &self.calls_with_async_arguments {
            self.void_callbacks_of(call, &mut decided.void_callbacks);
        }
        decided
    }

    /// `load` or `repo.save` for a call of a plain name or of a method of one.
    fn callee_key(&self, expr: Node) -> Option<String> {
        if expr.kind() != "call_expression" {
            return None;
        }
        let callee = unwrap_parens(field(expr, "function")?);
        match callee.kind() {
            "identifier" => Some(self.text(callee).to_owned()),
            "member_expression" => {
                let object = unwrap_parens(field(callee, "object")?);
                let property = field(callee, "property")?;
                (object.kind() == "identifier" && property.kind() == "property_identifier")
                    .then(|| format!("{}.{}", self.text(object), self.text(property)))
            }
            _ => None,
        }
    }

    /// The line of `node` (1-based), in its own file: `None` for this one,
    /// the specifier for an imported declaration.
    fn place(&self, node: Node) -> (usize, Option<String>) {
        let row = node.start_position().row;
        match self
            .appended
            .iter()
            .rev()
            .find(|a| node.start_byte() >= self.own_len && a.start <= node.start_byte())
        {
            Some(appended) => (
                appended.line + row.saturating_sub(appended.row),
                Some(appended.specifier.clone()),
            ),
            None => (row + 1, None),
        }
    }

    /// The appended declaration `pos` is in, or `None` in the file's own text.
    fn region(&self, pos: usize) -> Option<&super::imported::Appended> {
        if pos < self.own_len {
            return None;
        }
        self.appended.iter().rev().find(|a| a.start <= pos)
    }

    /// Whether a name written at `from` sees `declaration`: the file's own
    /// names see its own declarations and those it imports by name; an
    /// imported file's names, that file's.
    fn sees(&self, from: Node, declaration: Node) -> bool {
        match (
            self.region(from.start_byte()),
            self.region(declaration.start_byte()),
        ) {
            (None, None) => true,
            (None, Some(declared)) => declared.by_name,
            (Some(written), Some(declared)) => written.file == declared.file,
            (Some(_), None) => false,
        }
    }

    /// The declarations in `map` of the name `name` as written at `from`.
    fn visible(
        &self,
        map: &HashMap<&'t str, Vec<Node<'t>>>,
        from: Node,
        name: &str,
    ) -> Vec<Node<'t>> {
        map.get(name).map_or_else(Vec::new, |all| {
            all.iter()
                .copied()
                .filter(|d| self.sees(from, *d))
                .collect()
        })
    }

    /// The declarations in `map` of `namespace.name`, a member of a
    /// namespace import.
    fn namespace_member(
        &self,
        map: &HashMap<&'t str, Vec<Node<'t>>>,
        namespace: &str,
        name: &str,
    ) -> Vec<Node<'t>> {
        map.get(name).map_or_else(Vec::new, |all| {
            all.iter()
                .copied()
                .filter(|d| {
                    self.region(d.start_byte())
                        .is_some_and(|a| a.namespaces.iter().any(|n| n == namespace))
                })
                .collect()
        })
    }

    /// Whether `name` (an identifier) is a namespace import's name and
    /// nothing else in the file.
    fn is_namespace(&self, name: Node) -> bool {
        let text = self.text(name);
        self.namespaces.contains(text)
            && !self.assigned.contains(text)
            && self.bindings.get(text).is_some_and(|b| b.len() == 1)
    }

    /// Why `expr` is a promise by a declared type.
    fn promise(&self, expr: Node<'t>, depth: usize) -> Option<DeclaredPromise> {
        if depth > MAX_HOPS {
            return None;
        }
        let expr = unwrap_parens(expr);
        match expr.kind() {
            "call_expression" => self.call(expr, depth),
            "identifier" => {
                let name = self.text(expr);
                let bindings = self.bindings.get(name)?;
                if !self.visible(&self.functions, expr, name).is_empty()
                    || !self.visible(&self.types, expr, name).is_empty()
                {
                    return None;
                }
                let mut found = None;
                for binding in bindings {
                    let this = match *binding {
                        Binding::Typed(ty) => DeclaredPromise {
                            subject: name.to_owned(),
                            type_text: promise_type_text(self.source, ty)?.to_owned(),
                            declared_as: None,
                            line: self.place(ty).0,
                            file: self.place(ty).1,
                        },
                        // The declaration of the value it holds decides.
                        Binding::Const(value) if bindings.len() == 1 => {
                            self.promise(value, depth + 1)?
                        }
                        _ => return None,
                    };
                    found.get_or_insert(this);
                }
                found
            }
            // `retryer.promise` with `promise: Promise<T>` declared in its type.
            "member_expression" => {
                if crate::syntax::js::has_optional_chain(expr) {
                    return None;
                }
                let object = unwrap_parens(field(expr, "object")?);
                let property = field(expr, "property")?;
                if property.kind() != "property_identifier" {
                    return None;
                }
                let name = self.text(property);
                let (type_name, receiver) = self.value_type(object, depth + 1)?;
                let members = self.members_named(&receiver, name)?;
                let mut found = None;
                for member in members {
                    let ty = self.property_type(member)?;
                    let type_text = promise_type_text(self.source, ty)?;
                    found.get_or_insert(DeclaredPromise {
                        subject: self.text(expr).to_owned(),
                        type_text: type_text.to_owned(),
                        declared_as: Some(format!("{type_name}.{name}")),
                        line: self.place(member).0,
                        file: self.place(member).1,
                    });
                }
                found
            }
            _ => None,
        }
    }

    /// The declared type of a property that always holds a value of it:
    /// an interface's or object type's property that is not optional, a
    /// class field with an initializer (one without may be left `undefined`).
    fn property_type(&self, member: Node<'t>) -> Option<Node<'t>> {
        if has_token(member, "?") || has_token(member, "!") {
            return None;
        }
        match member.kind() {
            "property_signature" => field(member, "type"),
            "public_field_definition" if field(member, "value").is_some() => field(member, "type"),
            _ => None,
        }
    }

    fn call(&self, call: Node<'t>, depth: usize) -> Option<DeclaredPromise> {
        let arguments = field(call, "arguments")?;
        if arguments.kind() != "arguments" || crate::syntax::js::has_optional_chain(call) {
            return None;
        }
        let callee = unwrap_parens(field(call, "function")?);
        if callee.kind() == "member_expression" {
            let object = unwrap_parens(field(callee, "object")?);
            let property = field(callee, "property")?;
            if !crate::syntax::js::has_optional_chain(callee)
                && property.kind() == "property_identifier"
                && matches!(self.text(property), "then" | "catch" | "finally")
            {
                // `then` of a promise makes its result with the
                // promise's species: a subclass stays one. The
                // declaration that decides is the receiver's.
                return self.promise(object, depth + 1);
            }
        }
        let (declared_as, declarations, _) = self.callee_declarations(callee, depth)?;
        let (ty, declaration) = self.all_return_promises(&declarations)?;
        Some(DeclaredPromise {
            subject: format!("{}()", self.text(callee)),
            type_text: ty.to_owned(),
            declared_as,
            line: self.place(declaration).0,
            file: self.place(declaration).1,
        })
    }

    /// What a call of `callee` calls: every declaration of it (overloads,
    /// or a method's declarations in its receiver's type), the member's name
    /// in its type (`UserRepo.save`) for a method, and the receiver's type
    /// (what a method declared to return `this` returns).
    #[allow(clippy::type_complexity)]
    fn callee_declarations(
        &self,
        callee: Node<'t>,
        depth: usize,
    ) -> Option<(
        Option<String>,
        Vec<Node<'t>>,
        Option<(String, Receiver<'t>)>,
    )> {
        match callee.kind() {
            "identifier" => Some((None, self.function_declarations(callee)?, None)),
            "member_expression" => {
                if crate::syntax::js::has_optional_chain(callee) {
                    return None;
                }
                let object = unwrap_parens(field(callee, "object")?);
                let property = field(callee, "property")?;
                if property.kind() != "property_identifier" {
                    return None;
                }
                let method = self.text(property);
                if object.kind() == "identifier" && self.is_namespace(object) {
                    let namespace = self.text(object);
                    let functions = self.namespace_member(&self.functions, namespace, method);
                    let consts = self.namespace_member(&self.consts, namespace, method);
                    let declarations = match (functions.is_empty(), consts.as_slice()) {
                        (false, []) => functions,
                        (true, [declarator]) => self.callable_of_declarator(*declarator)?,
                        _ => return None,
                    };
                    return Some((None, declarations, None));
                }
                let (type_name, receiver) = self.value_type(object, depth + 1)?;
                let members = self.members_named(&receiver, method)?;
                Some((
                    Some(format!("{type_name}.{method}")),
                    members,
                    Some((type_name, receiver)),
                ))
            }
            _ => None,
        }
    }

    /// The declarations a call of the plain name `callee` calls: a
    /// function's (each overload), a `const` function's, an annotated
    /// binding's function type; none when the name is assigned or bound
    /// otherwise too.
    fn function_declarations(&self, callee: Node<'t>) -> Option<Vec<Node<'t>>> {
        let name = self.text(callee);
        if self.assigned.contains(name) {
            return None;
        }
        let functions = self.visible(&self.functions, callee, name);
        let consts = self.visible(&self.consts, callee, name);
        let bindings = self.bindings.get(name).map(Vec::as_slice);
        match (functions.is_empty(), consts.as_slice(), bindings) {
            (false, [], None) => Some(functions),
            // An imported `const`.
            (true, [declarator], None) => self.callable_of_declarator(*declarator),
            // `const f = (): Promise<T> => …` or `const f: (…) => Promise<T> = …`.
            (true, [], Some([binding])) => match *binding {
                Binding::Typed(ty) if ty.kind() == "function_type" => Some(vec![ty]),
                Binding::Const(value) => {
                    let value = unwrap_parens(value);
                    matches!(value.kind(), "arrow_function" | "function_expression")
                        .then(|| vec![value])
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// The function a `const` declarator holds: its annotated function
    /// type, or its arrow or function expression.
    fn callable_of_declarator(&self, declarator: Node<'t>) -> Option<Vec<Node<'t>>> {
        match (
            field(declarator, "type").and_then(annotated_type),
            field(declarator, "value").map(unwrap_parens),
        ) {
            (Some(ty), _) if ty.kind() == "function_type" => Some(vec![ty]),
            (None, Some(value))
                if matches!(value.kind(), "arrow_function" | "function_expression") =>
            {
                Some(vec![value])
            }
            _ => None,
        }
    }

    /// The declared `Promise<T>` of `declarations` (functions, methods or
    /// members of one name), when every one declares one.
    fn all_return_promises(&self, declarations: &[Node<'t>]) -> Option<(&'t str, Node<'t>)> {
        let mut found = None;
        for &declaration in declarations {
            // An `async` function or method without a written return type:
            // TypeScript infers `Promise<…>` for it, and checks an override
            // against that.
            let text = match self.return_type(declaration) {
                Some(returns) => promise_type_text(self.source, returns)?,
                None => async_unannotated(declaration).then_some(super::ASYNC)?,
            };
            found.get_or_insert((text, declaration));
        }
        found
    }

    /// The declared return type of a function, method or function-typed member.
    fn return_type(&self, declaration: Node<'t>) -> Option<Node<'t>> {
        match declaration.kind() {
            "function_declaration"
            | "function_signature"
            | "method_definition"
            | "method_signature"
            | "abstract_method_signature" => {
                // An accessor returns what it returns when read, not called.
                if has_token(declaration, "get") || has_token(declaration, "set") {
                    return None;
                }
                field(declaration, "return_type")
            }
            "arrow_function" | "function_expression" | "function_type" => {
                field(declaration, "return_type")
            }
            "property_signature" | "public_field_definition" => {
                match field(declaration, "type").and_then(annotated_type) {
                    Some(ty) if ty.kind() == "function_type" => field(ty, "return_type"),
                    Some(_) => None,
                    None => {
                        let value = unwrap_parens(field(declaration, "value")?);
                        matches!(value.kind(), "arrow_function" | "function_expression")
                            .then(|| field(value, "return_type"))?
                    }
                }
            }
            _ => None,
        }
    }

    /// The type every one of `declarations` is declared to return, as a
    /// receiver: a type name (not a type parameter), or `this` (the
    /// receiver `this_receiver` the method is called on).
    fn returned_type(
        &self,
        declarations: &[Node<'t>],
        this_receiver: Option<(String, Receiver<'t>)>,
    ) -> Option<(String, Receiver<'t>)> {
        let mut found: Option<(&'t str, (String, Receiver<'t>))> = None;
        for &declaration in declarations {
            let returns = annotated_type(self.return_type(declaration)?)?;
            let text = self.text(returns);
            if found.as_ref().is_some_and(|(t, _)| *t != text) {
                return None;
            }
            if found.is_some() {
                continue;
            }
            let receiver = if returns.kind() == "this_type" {
                this_receiver.clone()?
            } else {
                let name = self.type_name(returns)?;
                if is_type_parameter(returns, name, self.source) {
                    return None;
                }
                (name.to_owned(), Receiver::Type(returns))
            };
            found = Some((text, receiver));
        }
        found.map(|(_, receiver)| receiver)
    }

    /// The class a name written at `name` (an identifier) is, when it is
    /// one class the file declares or imports by name and nothing else.
    fn class_named(&self, name: Node<'t>) -> Option<Node<'t>> {
        let text = self.text(name);
        if self.assigned.contains(text) || !self.visible(&self.functions, name, text).is_empty() {
            return None;
        }
        let types = self.visible(&self.types, name, text);
        let [class] = types.as_slice() else {
            return None;
        };
        if !class.kind().ends_with("class_declaration") {
            return None;
        }
        // Its own declaration binds it once; an imported one binds nothing here.
        let own = self.region(class.start_byte()).is_none();
        (self.bindings.get(text).map_or(0, Vec::len) == usize::from(own)).then_some(*class)
    }

    /// The type the receiver `object` is declared with, as its name and a
    /// lookup of its members (see [`Self::value_type`]).
    fn members_of_receiver(&self, object: Node<'t>) -> Option<(String, Receiver<'t>)> {
        self.value_type(object, 0)
    }

    /// The declared type of the value `object`, as its name and a lookup of
    /// its members: `this` in a class; a name every binding of which is
    /// annotated with the same type, or a `const` holding such a value; a
    /// class's name (its static members); `this.field` of an annotated
    /// field; `new C(…)` of a class the file declares or imports; a call
    /// whose every declaration returns one type name (or `this`).
    fn value_type(&self, object: Node<'t>, depth: usize) -> Option<(String, Receiver<'t>)> {
        if depth > MAX_HOPS {
            return None;
        }
        let object = unwrap_parens(object);
        match object.kind() {
            "this" => {
                let class = self.enclosing_class(object)?;
                let name = field(class, "name").map_or("this", |n| self.text(n));
                Some((name.to_owned(), Receiver::Class(class)))
            }
            "identifier" => {
                let name = self.text(object);
                if let Some(class) = self.class_named(object) {
                    return Some((name.to_owned(), Receiver::Static(class)));
                }
                if !self.visible(&self.functions, object, name).is_empty()
                    || !self.visible(&self.types, object, name).is_empty()
                {
                    return None;
                }
                let bindings = self.bindings.get(name)?;
                if let [Binding::Const(value)] = bindings.as_slice() {
                    return self.value_type(*value, depth + 1);
                }
                let mut type_text = None;
                let mut ty = None;
                for binding in bindings {
                    let Binding::Typed(this) = *binding else {
                        return None;
                    };
                    let text = self.text(this);
                    if type_text.is_some_and(|t| t != text) {
                        return None;
                    }
                    type_text = Some(text);
                    ty.get_or_insert(this);
                }
                let ty = ty?;
                Some((self.type_name(ty)?.to_owned(), Receiver::Type(ty)))
            }
            "new_expression" => {
                let constructor = unwrap_parens(field(object, "constructor")?);
                if constructor.kind() != "identifier" {
                    return None;
                }
                let class = self.class_named(constructor)?;
                (class.kind() == "class_declaration")
                    .then(|| (self.text(constructor).to_owned(), Receiver::Class(class)))
            }
            "call_expression" => {
                let arguments = field(object, "arguments")?;
                if arguments.kind() != "arguments" || crate::syntax::js::has_optional_chain(object)
                {
                    return None;
                }
                let callee = unwrap_parens(field(object, "function")?);
                let (_, declarations, this_receiver) =
                    self.callee_declarations(callee, depth + 1)?;
                self.returned_type(&declarations, this_receiver)
            }
            "assignment_expression" => self.value_type(field(object, "right")?, depth + 1),
            "member_expression" => {
                if crate::syntax::js::has_optional_chain(object) {
                    return None;
                }
                let inner = unwrap_parens(field(object, "object")?);
                let property = field(object, "property")?;
                if property.kind() != "property_identifier" {
                    return None;
                }
                let name = self.text(property);
                if inner.kind() == "this" {
                    // `this.repo` with `repo: UserRepo` declared in the class.
                    let class = self.enclosing_class(inner)?;
                    let ty = self.field_type(class, name, 0)?;
                    return Some((self.type_name(ty)?.to_owned(), Receiver::Type(ty)));
                }
                // `a.b` with `b: B` declared in `a`'s type.
                let (_, receiver) = self.value_type(inner, depth + 1)?;
                let members = self.members_named(&receiver, name)?;
                let [member] = members.as_slice() else {
                    return None;
                };
                let ty = annotated_type(self.property_type(*member)?)?;
                let type_name = self.type_name(ty)?;
                if is_type_parameter(ty, type_name, self.source) {
                    return None;
                }
                Some((type_name.to_owned(), Receiver::Type(ty)))
            }
            _ => None,
        }
    }

    /// `UserRepo` for `UserRepo` or `Repo<User>`.
    fn type_name(&self, ty: Node<'t>) -> Option<&'t str> {
        match ty.kind() {
            "type_identifier" => Some(self.text(ty)),
            "generic_type" => {
                let name = field(ty, "name")?;
                (name.kind() == "type_identifier").then(|| self.text(name))
            }
            _ => None,
        }
    }

    /// The class whose instance `this` is at `node`: the nearest class
    /// around it, through arrow functions only (a `function` has its own
    /// `this`); not in a static member.
    fn enclosing_class(&self, node: Node<'t>) -> Option<Node<'t>> {
        let mut current = node.parent()?;
        loop {
            match current.kind() {
                "function_declaration"
                | "function_expression"
                | "generator_function"
                | "generator_function_declaration" => return None,
                // A static member's `this` is the class itself; an object
                // literal's method has the object as its `this`.
                "method_definition" | "public_field_definition"
                    if has_token(current, "static")
                        || current.parent().is_none_or(|p| p.kind() != "class_body") =>
                {
                    return None;
                }
                "class_body" => {
                    let class = current.parent()?;
                    return matches!(
                        class.kind(),
                        "class_declaration" | "abstract_class_declaration" | "class"
                    )
                    .then_some(class);
                }
                _ => {}
            }
            current = current.parent()?;
        }
    }

    /// The declared type of the field `name` of `class` (or of a class it extends).
    fn field_type(&self, class: Node<'t>, name: &str, hops: usize) -> Option<Node<'t>> {
        if hops > MAX_HOPS {
            return None;
        }
        let body = field(class, "body")?;
        let mut cursor = body.walk();
        let fields: Vec<Node<'t>> = body
            .named_children(&mut cursor)
            .filter(|m| {
                m.kind() == "public_field_definition"
                    && !has_token(*m, "static")
                    && field(*m, "name").is_some_and(|n| self.text(n) == name)
            })
            .collect();
        match fields.as_slice() {
            [] => {
                let parent = self.superclass(class)?;
                self.field_type(parent, name, hops + 1)
            }
            [one] => field(*one, "type").and_then(annotated_type),
            _ => None,
        }
    }

    /// The class `class` extends, when this file declares it once.
    fn superclass(&self, class: Node<'t>) -> Option<Node<'t>> {
        let mut cursor = class.walk();
        let heritage = class
            .named_children(&mut cursor)
            .find(|c| c.kind() == "class_heritage")?;
        let mut cursor = heritage.walk();
        let extends = heritage
            .named_children(&mut cursor)
            .find(|c| c.kind() == "extends_clause")?;
        let value = field(extends, "value")?;
        if value.kind() != "identifier" {
            return None;
        }
        match self
            .visible(&self.types, value, self.text(value))
            .as_slice()
        {
            [one] if one.kind().ends_with("class_declaration") => Some(*one),
            _ => None,
        }
    }

    /// The members named `name` of a receiver's type.
    fn members_named(&self, receiver: &Receiver<'t>, name: &str) -> Option<Vec<Node<'t>>> {
        match *receiver {
            Receiver::Class(class) => self.class_members(class, name, 0),
            Receiver::Type(ty) => self.type_members(ty, name, 0),
            Receiver::Static(class) => self.static_members(class, name, 0),
        }
    }

    /// The static members named `name` of `class` (or of a class it extends).
    fn static_members(&self, class: Node<'t>, name: &str, hops: usize) -> Option<Vec<Node<'t>>> {
        if hops > MAX_HOPS {
            return None;
        }
        let own = self.own_members(field(class, "body")?, name, true);
        if !own.is_empty() {
            return Some(own);
        }
        match self.superclass(class) {
            Some(parent) => self.static_members(parent, name, hops + 1),
            None if has_heritage_extends(class) => None,
            None => Some(Vec::new()),
        }
    }

    /// The members named `name` of the type `ty`: an interface (every
    /// declaration of it, as TypeScript merges them), a class, an alias of
    /// an object type or of another such type.
    fn type_members(&self, ty: Node<'t>, name: &str, hops: usize) -> Option<Vec<Node<'t>>> {
        if hops > MAX_HOPS {
            return None;
        }
        match ty.kind() {
            "object_type" => Some(self.own_members(ty, name, false)),
            // `A & B` has the members of both (a method of both is overloaded).
            "intersection_type" => {
                let mut cursor = ty.walk();
                let parts: Vec<Node<'t>> = ty.named_children(&mut cursor).collect();
                let mut found = Vec::new();
                for part in parts {
                    let part = annotated_type(part)?;
                    found.extend(self.type_members(part, name, hops + 1)?);
                }
                Some(found)
            }
            "type_identifier" | "generic_type" => {
                let type_name = self.type_name(ty)?;
                if is_type_parameter(ty, type_name, self.source) {
                    return None;
                }
                let declarations = self.visible(&self.types, ty, type_name);
                if declarations.is_empty() {
                    return None;
                }
                let mut found = Vec::new();
                for declaration in declarations {
                    let members = match declaration.kind() {
                        "interface_declaration" => {
                            self.interface_members(declaration, name, hops + 1)?
                        }
                        "class_declaration" | "abstract_class_declaration" => {
                            self.class_members(declaration, name, hops + 1)?
                        }
                        "type_alias_declaration" => {
                            let value = annotated_type(field(declaration, "value")?)?;
                            self.type_members(value, name, hops + 1)?
                        }
                        _ => return None,
                    };
                    found.extend(members);
                }
                Some(found)
            }
            _ => None,
        }
    }

    fn interface_members(
        &self,
        interface: Node<'t>,
        name: &str,
        hops: usize,
    ) -> Option<Vec<Node<'t>>> {
        let body = field(interface, "body")?;
        let own = self.own_members(body, name, false);
        if !own.is_empty() {
            return Some(own);
        }
        let mut cursor = interface.walk();
        let clauses: Vec<Node<'t>> = interface
            .named_children(&mut cursor)
            .filter(|c| c.kind() == "extends_type_clause")
            .collect();
        let mut found = Vec::new();
        for clause in clauses {
            let mut cursor = clause.walk();
            let parents: Vec<Node<'t>> = clause.named_children(&mut cursor).collect();
            for parent in parents {
                found.extend(self.type_members(parent, name, hops + 1)?);
            }
        }
        Some(found)
    }

    fn class_members(&self, class: Node<'t>, name: &str, hops: usize) -> Option<Vec<Node<'t>>> {
        if hops > MAX_HOPS {
            return None;
        }
        let body = field(class, "body")?;
        let own = self.own_members(body, name, false);
        if !own.is_empty() {
            return Some(own);
        }
        match self.superclass(class) {
            Some(parent) => self.class_members(parent, name, hops + 1),
            // Extending something this file does not declare: unknown.
            None if has_heritage_extends(class) => None,
            None => Some(Vec::new()),
        }
    }

    /// The members of an interface body, object type or class body named
    /// `name`, static or not as `statics` says.
    fn own_members(&self, body: Node<'t>, name: &str, statics: bool) -> Vec<Node<'t>> {
        let mut cursor = body.walk();
        let found = body
            .named_children(&mut cursor)
            .filter(|m| {
                matches!(
                    m.kind(),
                    "method_signature"
                        | "method_definition"
                        | "abstract_method_signature"
                        | "property_signature"
                        | "public_field_definition"
                ) && has_token(*m, "static") == statics
                    && field(*m, "name").is_some_and(|n| self.text(n) == name)
            })
            .collect();
        found
    }

    /// The void callbacks of `call`, a call passing an async function.
    fn void_callbacks_of(&self, call: Node<'t>, found: &mut Vec<VoidCallback>) {
        let Some(callee) = field(call, "function").map(unwrap_parens) else {
            return;
        };
        let Some(arguments) = field(call, "arguments") else {
            return;
        };
        let declarations: Vec<Node<'t>> = match callee.kind() {
            "identifier" => {
                let name = self.text(callee);
                if self.assigned.contains(name) || self.bindings.contains_key(name) {
                    return;
                }
                let functions = self.visible(&self.functions, callee, name);
                if functions.is_empty() {
                    return;
                }
                functions
            }
            "member_expression" => {
                let (Some(object), Some(property)) = (
                    field(callee, "object").map(unwrap_parens),
                    field(callee, "property"),
                ) else {
                    return;
                };
                let Some((_, receiver)) = self.members_of_receiver(object) else {
                    return;
                };
                match self.members_named(&receiver, self.text(property)) {
                    Some(members) => members,
                    None => return,
                }
            }
            _ => return,
        };
        let mut cursor = arguments.walk();
        // A comment between the arguments is not one.
        let passed: Vec<Node<'t>> = arguments
            .named_children(&mut cursor)
            .filter(|a| a.kind() != "comment")
            .collect();
        for (index, argument) in passed.iter().enumerate() {
            if passed[..index].iter().any(|a| a.kind() == "spread_element") {
                return;
            }
            if !(matches!(argument.kind(), "arrow_function" | "function_expression")
                && is_async(*argument))
            {
                continue;
            }
            // Every declaration (each overload) must declare a `void` callback there.
            let mut first = None;
            let mut all = !declarations.is_empty();
            for &declaration in &declarations {
                match self.void_parameter(declaration, index) {
                    Some(parameter) => {
                        first.get_or_insert(parameter);
                    }
                    None => all = false,
                }
            }
            let (Some((parameter, ty)), true) = (first, all) else {
                continue;
            };
            let mut cursor = argument.walk();
            let keyword = argument
                .children(&mut cursor)
                .find(|c| c.kind() == "async")
                .map_or(argument.start_byte()..argument.start_byte() + 5, |k| {
                    k.byte_range()
                });
            found.push(VoidCallback {
                argument: argument.byte_range(),
                async_keyword: keyword,
                callee: self.text(callee).to_owned(),
                parameter: self.text(parameter).to_owned(),
                type_text: self.text(ty).to_owned(),
                line: self.place(parameter).0,
                file: self.place(parameter).1,
            });
        }
    }

    /// The `index`th parameter of `declaration` and its declared type, when
    /// that type is a function type returning `void` (directly or by alias).
    fn void_parameter(&self, declaration: Node<'t>, index: usize) -> Option<(Node<'t>, Node<'t>)> {
        let parameters = match declaration.kind() {
            "property_signature" | "public_field_definition" => {
                let ty = field(declaration, "type").and_then(annotated_type)?;
                (ty.kind() == "function_type").then(|| field(ty, "parameters"))??
            }
            _ => field(declaration, "parameters")?,
        };
        let mut cursor = parameters.walk();
        let parameter = parameters
            .named_children(&mut cursor)
            .filter(|p| matches!(p.kind(), "required_parameter" | "optional_parameter"))
            .nth(index)?;
        let pattern = field(parameter, "pattern")?;
        if pattern.kind() != "identifier" {
            return None;
        }
        let written = field(parameter, "type").and_then(annotated_type)?;
        let mut ty = written;
        for _ in 0..MAX_HOPS {
            if ty.kind() != "type_identifier" {
                break;
            }
            let aliases = self.visible(&self.types, ty, self.text(ty));
            let [alias] = aliases.as_slice() else {
                return None;
            };
            if alias.kind() != "type_alias_declaration"
                || field(*alias, "type_parameters").is_some()
            {
                return None;
            }
            ty = annotated_type(field(*alias, "value")?)?;
        }
        if ty.kind() != "function_type" {
            return None;
        }
        let returns = annotated_type(field(ty, "return_type")?)?;
        (returns.kind() == "predefined_type" && self.text(returns) == "void")
            .then_some((pattern, written))
    }
}

/// Whether `class` has an `extends` clause.
fn has_heritage_extends(class: Node) -> bool {
    let mut cursor = class.walk();
    let found = class
        .named_children(&mut cursor)
        .filter(|c| c.kind() == "class_heritage")
        .any(|h| {
            let mut cursor = h.walk();
            let found = h
                .named_children(&mut cursor)
                .any(|c| c.kind() == "extends_clause");
            found
        });
    found
}

/// Whether [`Declarations::record`] reads a node of kind `kind` (every
/// function kind among them: a function's name or parameter binds).
fn is_recorded(kind: &str) -> bool {
    crate::syntax::js::FUNCTION_KINDS.contains(&kind)
        || matches!(
            kind,
            "internal_module"
                | "module"
                | "interface_declaration"
                | "class_declaration"
                | "abstract_class_declaration"
                | "type_alias_declaration"
                | "class"
                | "function_signature"
                | "variable_declarator"
                | "required_parameter"
                | "optional_parameter"
                | "catch_clause"
                | "for_in_statement"
                | "import_specifier"
                | "import_clause"
                | "namespace_import"
        )
        || matches!(
            kind,
            "assignment_expression"
                | "augmented_assignment_expression"
                | "update_expression"
                | "await_expression"
                | "expression_statement"
                | "call_expression"
        )
}

/// What a receiver's members are looked up in.
#[derive(Clone, Copy)]
enum Receiver<'t> {
    /// `this` in a class, or a `new` instance of it.
    Class(Node<'t>),
    /// A declared type.
    Type(Node<'t>),
    /// A class's name: its static members.
    Static(Node<'t>),
}

/// Whether `name`, written at `at`, names a type parameter of a declaration
/// around it (`T` in `interface Box<T> { get(): T }`).
fn is_type_parameter(at: Node, name: &str, source: &str) -> bool {
    let mut current = at.parent();
    while let Some(node) = current {
        if let Some(parameters) = node.child_by_field_name("type_parameters") {
            let mut cursor = parameters.walk();
            let found = parameters.named_children(&mut cursor).any(|p| {
                p.child_by_field_name("name")
                    .is_some_and(|n| &source[n.byte_range()] == name)
            });
            if found {
                return true;
            }
        }
        current = node.parent();
    }
    false
}

/// Whether `declaration` is an `async` function or method (not a generator)
/// with no written return type, or a field holding one.
fn async_unannotated(declaration: Node) -> bool {
    let function = match declaration.kind() {
        "public_field_definition" if declaration.child_by_field_name("type").is_none() => {
            match declaration.child_by_field_name("value").map(unwrap_parens) {
                Some(value) => value,
                None => return false,
            }
        }
        _ => declaration,
    };
    crate::syntax::js::is_async_function(function)
        && !crate::syntax::js::is_generator_function(function)
        && function.child_by_field_name("return_type").is_none()
}

/// Whether `node` is a declaration at the top level of its text (in an
/// `export` or a `declare` at most).
fn is_top_level(node: Node) -> bool {
    let mut parent = node.parent();
    while let Some(p) = parent {
        match p.kind() {
            "program" => return true,
            "export_statement" | "ambient_declaration" => parent = p.parent(),
            _ => return false,
        }
    }
    false
}
