//! The engine's instruction set: each function body compiles to a flat list of
//! stack-machine operations, so an activation's whole state (pc, operand stack,
//! scopes, handlers) is plain data that `await` can save and a job can resume.

use std::ops::Range;
use std::rc::Rc;

use super::value::Value;

pub(crate) type FuncId = usize;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Exp,
    StrictEq,
    StrictNe,
    LooseEq,
    LooseNe,
    Lt,
    Gt,
    Le,
    Ge,
    InstanceOf,
    /// `&`, `|`, `^`, `<<`, `>>`, `>>>` (`ops_int32.rs`).
    BitAnd,
    BitOr,
    BitXor,
    Shl,
    Shr,
    UShr,
    /// `key in object` (§13.10.1).
    In,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum UnOp {
    Not,
    Neg,
    Plus,
    Typeof,
    Void,
    BitNot,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DeclKind {
    /// `let`/`const` hoisted to the top of its block, not yet initialised.
    Uninitialised,
    /// Initialise (or create) a mutable binding in the innermost scope.
    Let,
    Const,
    /// `var` and function declarations: the function's top scope.
    Var,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum HandlerKind {
    Catch,
    Finally,
}

/// Declares the instruction set once, each op in its family: the `Op` enum,
/// `OpFamily`, and `Op::family`, by which `Machine::step` sends an op to the
/// function of its family (`machine/dispatch.rs`).
macro_rules! instruction_set {
    ($(
        $(#[$family_doc:meta])*
        $family:ident {
            $(
                $(#[$doc:meta])*
                $op:ident $(($($tuple:ty),*))? $({ $($field:ident: $field_ty:ty),* })?
            ),* $(,)?
        }
    )*) => {
        #[derive(Clone, Debug)]
        pub(crate) enum Op {
            $($(
                $(#[$doc])*
                $op $(($($tuple),*))? $({ $($field: $field_ty),* })?,
            )*)*
        }

        /// The families of ops, one `Machine` function each.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub(crate) enum OpFamily {
            $($(#[$family_doc])* $family,)*
        }

        impl Op {
            pub(crate) fn family(&self) -> OpFamily {
                match self {
                    $($(Op::$op { .. } => OpFamily::$family,)*)*
                }
            }
        }
    };
}

instruction_set! {
    /// The operand stack, bindings and scopes, `this` and arguments.
    Stack {
        Push(Value),
        Pop,
        Dup,
        /// `[a, b] -> [a, b, a, b]`.
        Dup2,
        Load(Rc<str>),
        /// Pops the value.
        Store(Rc<str>),
        /// Pops the value (ignored for `Uninitialised`).
        Declare(Rc<str>, DeclKind),
        /// `typeof name`, which must not fail on an undeclared name.
        TypeofName(Rc<str>),
        PushScope,
        PopScope,
        /// Replace the innermost scope by a copy: per-iteration `let` bindings (§14.7.4.4).
        RenewScope,
        LoadThis,
        LoadArg(usize),
        LoadRestArgs(usize),
    }
    /// Reading and writing properties.
    Property {
        GetProp(Rc<str>),
        /// `[obj] -> [obj, obj.name]`, for method calls.
        GetMethod(Rc<str>),
        GetIndex,
        /// `[obj, key] -> [obj, obj[key]]`.
        GetIndexMethod,
        /// `[obj, value] -> [value]`.
        SetProp(Rc<str>),
        /// `[obj, key, value] -> [value]`.
        SetIndex,
        /// `obj.name++` and kin: `[obj] -> [result]`.
        UpdateProp { name: Rc<str>, delta: f64, prefix: bool },
        UpdateIndex { delta: f64, prefix: bool },
        /// `[object, source] -> [object]`: `{ ...source }` in an object literal.
        ObjectSpread,
        /// `[object, value] -> [object]`: defines an own property or accessor.
        Define { name: Rc<str>, kind: DefineKind },
        /// `[object, key, value] -> [object]`: a class method under a
        /// computed name (`machine/unknowns.rs`: only unknown keys are modelled).
        DefineComputed(DefineKind),
        /// `super.name`: `[receiver, home] -> [value]`.
        GetSuper(Rc<str>),
    }
    /// Building values: closures, classes, arrays, objects, operators.
    Value {
        Closure(FuncId),
        Array(usize),
        /// `[array, value] -> [array]`, for array literals with spread.
        ArrayPush,
        /// `[array, iterable] -> [array]`.
        ArraySpread,
        Object(Vec<Rc<str>>),
        Binary(BinOp),
        Unary(UnOp),
        ToNumber,
        /// ToString each of the top `n` values and join them (template literals).
        Concat(usize),
        /// `[heritage?, constructor, fields] -> [class]`: ClassDefinitionEvaluation
        /// (§15.7.14) up to the members; declares `%proto` and `%ctor` in the
        /// current scope for `super` (see `classes.rs`).
        MakeClass { name: Rc<str>, derived: bool },
    }
    /// Calls and `new`.
    Call {
        /// `[callee, args...]` or with `this`: `[receiver, callee, args...]`.
        Call { argc: usize, with_this: bool },
        New { argc: usize },
        /// `[receiver, callee, array] -> [result]` (calls with spread arguments).
        CallSpread { with_this: bool },
        /// `[constructor, array] -> [instance]` (`new` with spread arguments).
        NewSpread,
        /// `super(args...)` in a derived constructor: `[args...] -> [this]`.
        SuperCall { argc: usize },
        /// `[array] -> [this]` (`super(...)` with spread arguments).
        SuperCallSpread,
    }
    /// Jumps, `return`, `throw`, `await`, handlers and completions.
    Control {
        Jump(usize),
        JumpIfFalse(usize),
        /// Keeps the value when jumping, pops it otherwise (`||`, `&&`, `??`).
        JumpIfTrueKeep(usize),
        JumpIfFalseKeep(usize),
        JumpIfNotNullishKeep(usize),
        Return,
        Throw,
        Await,
        PushHandler(HandlerKind, usize),
        PopHandler,
        /// Records a normal completion before falling into a `finally` body.
        NormalCompletion,
        EndFinally,
        /// `break`/`continue`: leave handlers and scopes down to the given depths.
        Exit { target: usize, handlers: usize, scopes: usize },
        /// In AsyncIteratorClose's catch: `[error] -> []`, rethrown unless the
        /// loop is being left by a throw (§7.4.13 step 6).
        RethrowUnlessThrowing,
        /// Pops the value and jumps if it is truthy.
        JumpIfTrue(usize),
    }
    /// Iterators, `for...in`, `for await` and generators.
    Iteration {
        /// `[iterable] -> []`: declares the hidden iterator binding.
        IterInit(Rc<str>),
        /// Pushes the next element, or jumps when done.
        IterNext(Rc<str>, usize),
        /// `for...in` (§14.7.5.6): `[object] -> []`, declares the hidden
        /// iterator over the object's enumerable string keys.
        ForInInit(Rc<str>),
        /// `[iterable] -> []`: declares the hidden async iterator binding
        /// (`for await`, `yield*` in async generators; `for_await.rs`).
        AsyncIterInit(Rc<str>),
        /// One async iterator step: `[] -> [done, promise]`; `done` is
        /// `undefined` when the awaited promise gives a `{ value, done }` result.
        ForAwaitStep(Rc<str>),
        /// The same for `yield*`, passing what was sent: `[sent] -> [done, promise]`.
        AsyncDelegateStep(Rc<str>),
        /// `[done, awaited] -> [value, done]`.
        ForAwaitUnpack,
        /// AsyncIteratorClose's `return()` call: `[] -> [promise]` to await.
        ForAwaitClose(Rc<str>),
        /// `return(v)` reaching a `yield*`: `[v] -> [done, promise]`, as a step.
        AsyncDelegateReturn(Rc<str>),
        /// The `yield` of a `yield*` in an async generator (`async_generators.rs`).
        YieldDelegated,
        /// `yield v`: `[v] -> [sent]` once the generator is resumed by `next(sent)`.
        Yield,
        /// One step of `yield*` (§15.5.5): `[sent] -> [inner result]` to yield
        /// as is, or jumps with `[value]` once the inner iterator is done.
        YieldDelegate(Rc<str>, usize),
        /// Leaving a `for...of` early closes its iterator (§7.4.11 IteratorClose).
        IterClose(Rc<str>),
    }
    /// Destructuring patterns and optional chains.
    Pattern {
        /// `[a, b] -> [b, a]`.
        Swap,
        /// Destructuring `null`/`undefined` throws (§7.2.1); the value stays.
        RequireObjectCoercible,
        /// Array patterns read by index: the value must be an array or a string.
        RequireIndexable,
        /// `[value] -> [rest]`: a plain copy of the value's own properties
        /// without the listed keys (§14.3.3.1 RestBindingInitialization).
        ObjectRest(Vec<Rc<str>>),
        /// `[array or string] -> [array]`: the elements from the index on.
        RestFrom(usize),
        /// Optional chains: if the top value is nullish, drop `drop` values and jump.
        SkipIfNullish { target: usize, drop: usize },
    }
    /// What the engine does not model.
    Abstain {
        /// A construct the engine does not model, reached at run time.
        Abstain(Rc<str>),
    }
}

/// What `Op::Define` creates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DefineKind {
    /// An enumerable data property (fields, object literal members).
    Field,
    /// A non-enumerable method (class bodies).
    Method,
    Getter,
    Setter,
}

/// One compiled function (or the program's top level).
#[derive(Debug)]
pub(crate) struct FunctionCode {
    pub name: Rc<str>,
    pub is_async: bool,
    pub is_arrow: bool,
    pub is_generator: bool,
    /// `new` may call it: an ordinary `function`, or a class constructor.
    pub constructible: bool,
    /// Strict-mode code (`strict_mode.rs`): a plain call gives it `this === undefined`.
    pub is_strict: bool,
    /// A named function expression's name, bound to the function inside its own body.
    pub own_name: Option<Rc<str>>,
    /// Byte range of the function node (the whole program for the top level).
    pub range: Range<usize>,
    /// Byte range of its body, for a function compiled from a function node.
    pub body: Option<Range<usize>>,
    pub code: Vec<Op>,
    /// The source range each op came from, for abstentions and causes.
    pub spans: Vec<Range<usize>>,
    /// Byte ranges of the `await_expression`s directly in this body.
    pub awaits: Vec<Range<usize>>,
}
