//! The classes tier: programs built around classes, `Promise` subclasses and thenable classes,
//! with only microtasks (no timers), so Node prints each in one order.
//!
//! Each program declares a base class (fields, an arrow-function field, a getter and setter, a
//! static counter, a static factory, an async method), a subclass that calls `super(...)` and
//! `super.m()`, a `Promise` subclass (sometimes with a logging constructor or an overridden
//! `then`) and a thenable class; then runs a few statements that await, chain and combine
//! instances of them, next to a numbered `.then` chain whose lines show each job count.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::{Flavor, Program, Tier};

/// What one awaited or chained value is.
const AWAITABLES: &[&str] = &[
    "new Later((resolve) => resolve(VALUE))",
    "Later.resolve(VALUE)",
    "new Lazy(VALUE)",
    "Promise.resolve(new Later((resolve) => resolve(VALUE)))",
    "Promise.resolve(VALUE)",
    "item.describeLater()",
    "Dog.fetch(\"NAME\")",
    "VALUE",
];

pub(super) fn program(rng: &mut ChaCha8Rng, seed: u64, flavor: Flavor) -> Program {
    let mut out = String::new();
    out.push_str(&declarations(rng));
    let statements = rng.random_range(3..=5);
    let mut counter = 0u32;
    for index in 0..statements {
        out.push_str(&statement(rng, index, &mut counter));
    }
    if flavor == Flavor::EsModule && rng.random_bool(0.5) {
        let awaited = awaitable(rng, &mut counter);
        out.push_str(&format!(
            "console.log(\"top before\");\nconsole.log(\"top got\", await {awaited});\n"
        ));
    }
    let chain = rng.random_range(3..=6);
    out.push_str(&format!(
        "let clock = Promise.resolve();\nfor (let i = 1; i <= {chain}; i++) clock = clock.then(() => console.log(\"job \" + i));\n"
    ));
    Program {
        tier: Tier::Classes,
        seed,
        flavor,
        source: out,
        racy: None,
        unhandled_rejection: false,
        nominal_ms: 0,
    }
}

fn declarations(rng: &mut ChaCha8Rng) -> String {
    let mut out = String::new();
    out.push_str(
        "class Animal {\n  static count = 0;\n  legs = 4;\n  describe = () => this.name + \" has \" + this.legs + \" legs\";\n  constructor(name) {\n    this.name = name;\n    Animal.count++;\n  }\n  get label() {\n    return \"<\" + this.name + \">\";\n  }\n  set label(text) {\n    this.name = text;\n  }\n  speak() {\n    return this.name + \" speaks\";\n  }\n  static create(name) {\n    return new this(name);\n  }\n  async describeLater() {\n    await null;\n    console.log(\"describing \" + this.name);\n    return this.describe();\n  }\n}\n",
    );
    let dog_ctor = if rng.random_bool(0.5) {
        "  constructor(name) {\n    super(name);\n    this.tricks = 0;\n  }\n"
    } else {
        ""
    };
    out.push_str(&format!(
        "class Dog extends Animal {{\n  sound = \"woof\";\n{dog_ctor}  speak() {{\n    return super.speak() + \" \" + this.sound;\n  }}\n  static async fetch(name) {{\n    const dog = Dog.create(name);\n    await dog.describeLater();\n    return dog.name;\n  }}\n}}\n"
    ));
    let later = match rng.random_range(0..3) {
        0 => "class Later extends Promise {}\n",
        1 => "class Later extends Promise {\n  constructor(executor) {\n    console.log(\"Later constructed\");\n    super(executor);\n  }\n}\n",
        _ => "class Later extends Promise {\n  then(onFulfilled, onRejected) {\n    console.log(\"Later.then\");\n    return super.then(onFulfilled, onRejected);\n  }\n}\n",
    };
    out.push_str(later);
    out.push_str(
        "class Lazy {\n  constructor(value) {\n    this.value = value;\n  }\n  then(resolve) {\n    console.log(\"Lazy.then \" + this.value);\n    resolve(this.value);\n  }\n}\n",
    );
    out.push_str("const item = new Dog(\"Rex\");\n");
    out
}

fn name(rng: &mut ChaCha8Rng) -> &'static str {
    ["Ada", "Bo", "Cy", "Di"][rng.random_range(0..4)]
}

fn awaitable(rng: &mut ChaCha8Rng, counter: &mut u32) -> String {
    *counter += 1;
    let template = AWAITABLES[rng.random_range(0..AWAITABLES.len())];
    template
        .replace("VALUE", &counter.to_string())
        .replace("NAME", name(rng))
}

fn statement(rng: &mut ChaCha8Rng, index: usize, counter: &mut u32) -> String {
    match rng.random_range(0..7) {
        0 => {
            let awaited = awaitable(rng, counter);
            let second = awaitable(rng, counter);
            format!(
                "async function task{index}() {{\n  console.log(\"task{index} start\");\n  const first = await {awaited};\n  console.log(\"task{index} got\", first);\n  const second = await {second};\n  console.log(\"task{index} then\", second);\n  return first;\n}}\ntask{index}().then((v) => console.log(\"task{index} done\", v));\n"
            )
        }
        1 => {
            let chained = awaitable(rng, counter);
            format!("Promise.resolve({chained}).then((v) => console.log(\"chained{index}\", v));\n")
        }
        2 => {
            let a = awaitable(rng, counter);
            let b = awaitable(rng, counter);
            let combinator = ["all", "allSettled", "race", "any"][rng.random_range(0..4)];
            // `all` and `allSettled` give arrays; print their length, not util.inspect's layout.
            let shown = if combinator.starts_with("all") {
                "r.length"
            } else {
                "r"
            };
            format!(
                "Promise.{combinator}([{a}, {b}]).then((r) => console.log(\"{combinator}{index}\", {shown}));\n"
            )
        }
        3 => {
            let who = name(rng);
            format!(
                "const pet{index} = new Dog(\"{who}\");\nconsole.log(pet{index}.speak(), pet{index}.label, pet{index} instanceof Animal);\npet{index}.label = \"{who}{index}\";\nconsole.log(pet{index}.describe(), Animal.count);\n"
            )
        }
        4 => {
            *counter += 1;
            let value = *counter;
            format!(
                "new Later((resolve) => resolve({value})).then((v) => console.log(\"later{index}\", v)).then(() => console.log(\"later{index} next\"));\n"
            )
        }
        5 => {
            let who = name(rng);
            format!(
                "Dog.fetch(\"{who}\").then((n) => console.log(\"fetched{index}\", n));\nconsole.log(\"after fetch{index}\", Animal.count);\n"
            )
        }
        _ => {
            let awaited = awaitable(rng, counter);
            format!(
                "const run{index} = async () => {{\n  const got = await {awaited};\n  console.log(\"run{index}\", got instanceof Later, typeof got);\n}};\nrun{index}();\nconsole.log(\"after run{index}\");\n"
            )
        }
    }
}
