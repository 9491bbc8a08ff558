// The `ticklens/order` request and how its answer reads in the virtual document.
// The server does the predicting; this only lays the answer out.

/** Params of `ticklens/order`. */
export interface OrderParams {
  textDocument: { uri: string };
}

/** Result of `ticklens/order`: the predicted stdout lines, or why the server abstains. */
export interface OrderResult {
  lines: string[] | null;
  abstained: string | null;
}

export const ORDER_REQUEST = "ticklens/order";

/** The URI scheme of the read-only documents that show a predicted order. */
export const ORDER_SCHEME = "ticklens-order";

/** The first line of the document when the server cannot tell. */
export const ABSTAINED_HEADING = "ticklens cannot predict what this file prints:";

/** The document's text: exactly the predicted lines, or the heading and the reason. */
export function renderOrder(result: OrderResult): string {
  if (result.lines) {
    return result.lines.map((line) => `${line}\n`).join("");
  }
  return `${ABSTAINED_HEADING}\n${result.abstained ?? "the server gave no reason"}\n`;
}

/**
 * The path of the virtual document for a source file: `/<name> (predicted order)`, with the source
 * URI in the query so that each source file gets its own document.
 */
export function orderDocumentPath(sourceUri: string): { path: string; query: string } {
  const name = decodeURIComponent(sourceUri.replace(/[?#].*$/, "").split("/").pop() || "untitled");
  return { path: `/${name} (predicted order)`, query: encodeURIComponent(sourceUri) };
}

/** The source URI back from the virtual document's query. */
export function sourceUriOf(query: string): string {
  return decodeURIComponent(query);
}
