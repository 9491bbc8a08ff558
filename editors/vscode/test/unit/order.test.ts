import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { ABSTAINED_HEADING, orderDocumentPath, renderOrder, sourceUriOf } from "../../src/order";

describe("predicted order document", () => {
  it("shows exactly the predicted lines, one per line", () => {
    assert.equal(renderOrder({ lines: ["A", "D", "B", "C"], abstained: null }), "A\nD\nB\nC\n");
  });

  it("shows an empty document when the program prints nothing", () => {
    assert.equal(renderOrder({ lines: [], abstained: null }), "");
  });

  it("shows the server's reason when it abstains", () => {
    assert.equal(
      renderOrder({ lines: null, abstained: "not yet modelled: timers" }),
      `${ABSTAINED_HEADING}\nnot yet modelled: timers\n`,
    );
  });

  it("names the document after the source file and keeps the source URI", () => {
    const source = "file:///work/app/src/main%20loop.js";
    const { path, query } = orderDocumentPath(source);
    assert.equal(path, "/main loop.js (predicted order)");
    assert.equal(sourceUriOf(query), source);
  });
});
