//! `__defineGetter__` and `__defineSetter__` (Annex B.2.2.2-3), as mongoose
//! defines `Mongoose.prototype.connection` with both. Expected outputs are
//! Node v24.11.1's.

use super::cjs;

/// The connection's setter writes where its getter reads; on a plain
/// object, the setter replaces a data property (reading gives `undefined`).
const SOURCE: &str = r#"
function Mongoose() { this.connections = ["c0", "c1"]; }
Mongoose.prototype.__defineGetter__("connection", function () { return this.connections[0]; });
Mongoose.prototype.__defineSetter__("connection", function (v) { this.connections[0] = v; });
const m = new Mongoose();
m.connection = "c9";
console.log(m.connection, m.connections[0], m.__defineSetter__ === Mongoose.prototype.__defineSetter__);
const o = { a: 1 };
console.log(o.__defineSetter__("a", (v) => console.log("set", v)), o.a);
o.a = 5;
"#;

#[test]
fn define_setter_fills_the_accessor_define_getter_began() {
    assert_eq!(cjs(SOURCE), ["c9 c9 true", "undefined undefined", "set 5"]);
}
