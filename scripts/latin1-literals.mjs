// An asc transform (asconfig.json "transform"; https://www.assemblyscript.org/compiler.html#transforms)
// that stores the policy's string literals as Latin-1 bytes instead of UTF-16 data segments.
//
// Why: AssemblyScript keeps every string literal as a static UTF-16 object with a header, in data
// segments of its own; the policy's messages were a third of policy.wasm, half of it zero bytes.
// Here each literal of assembly/ (not the standard library) whose characters are all Latin-1 is
// replaced by the call `__literal(id)` (assembly/sdk/literals.ts): the literals' characters are one
// Latin-1 byte table, `id` numbers the literals (the most used first, so that most calls take a
// one-byte id), a table of 16-bit offsets says where each starts and ends, and on first use the
// string object is written into a zero-filled static region and remembered. The tables and the
// region's size are written into the placeholders of literals.ts. Literals are left as they are
// inside decorators (`@external("wapc", …)`), import and export paths, and when empty or not
// Latin-1. Without assembly/sdk/literals.ts in the program (the test harnesses) nothing changes.

import { LiteralKind, Node, NodeKind } from "assemblyscript";

const LITERALS_FILE = "assembly/sdk/literals";
/** Bytes before a string's characters: BLOCK mmInfo + OBJECT gcInfo, gcInfo2, rtId, rtSize (~lib/rt/common.ts). */
const HEADER = 20;
/** Strings start 16-byte aligned after their header, as the runtime allocates objects. */
const ALIGN = 16;

const MIN_LENGTH = Number(process.env.LATIN1_MIN_LENGTH ?? 1);
const isLatin1 = (text) => [...text].every((c) => c.codePointAt(0) <= 0xff);
const integer = (value, range) => Node.createIntegerLiteralExpression(globalThis.i64_new(value, 0), range);

export default class Latin1Literals {
  afterParse(parser) {
    const sources = parser.sources.filter((s) => !s.normalizedPath.startsWith("~lib/"));
    const table = sources.find((s) => s.normalizedPath === `${LITERALS_FILE}.ts`);
    if (!table) return;
    const calls = []; // every rewritten call, with its literal
    const uses = new Map(); // literal → number of uses
    const rewrite = (node) => {
      if (!node || typeof node !== "object") return node;
      if (Array.isArray(node)) {
        for (let i = 0; i < node.length; i++) node[i] = rewrite(node[i]);
        return node;
      }
      if (typeof node.kind !== "number") return node;
      if (node.kind === NodeKind.Import || node.kind === NodeKind.Export || node.kind === NodeKind.ExportImport) return node;
      if (node.kind === NodeKind.Literal && node.literalKind === LiteralKind.String) {
        if (node.value.length < MIN_LENGTH || !isLatin1(node.value)) return node;
        const id = integer(0, node.range);
        calls.push({ value: node.value, id });
        uses.set(node.value, (uses.get(node.value) ?? 0) + 1);
        return Node.createCallExpression(Node.createIdentifierExpression("__literal", node.range), null, [id], node.range);
      }
      for (const key of Object.keys(node)) {
        if (key === "range" || key === "decorators" || key === "parent") continue;
        node[key] = rewrite(node[key]);
      }
      return node;
    };
    for (const source of sources) if (source !== table) rewrite(source.statements);
    const ordered = [...uses.keys()].sort((a, b) => uses.get(b) - uses.get(a) || (a < b ? -1 : 1));
    const ids = new Map(ordered.map((value, id) => [value, id]));
    for (const call of calls) call.id.value = globalThis.i64_new(ids.get(call.value), 0);
    const bytes = [];
    const offsets = [0];
    let region = 0;
    for (const value of ordered) {
      for (const c of value) bytes.push(c.codePointAt(0));
      offsets.push(bytes.length);
      region += Math.ceil((HEADER + value.length * 2) / ALIGN) * ALIGN + ALIGN;
    }
    if (bytes.length > 0xffff) throw new Error(`${LITERALS_FILE}: ${bytes.length} bytes of literals do not fit 16-bit offsets`);
    this.fill(table, { u8: bytes, u16: offsets }, [region + ALIGN, ordered.length * 2 + ALIGN]);
  }

  /**
   * Fills the placeholders of literals.ts: `memory.data<T>([0])` gets the table of element type
   * T, the `staticRegion(size)` calls the sizes of the zero-filled regions, in order.
   */
  fill(table, tables, regions) {
    const filled = new Set();
    const visit = (node) => {
      if (!node || typeof node !== "object") return;
      if (Array.isArray(node)) return node.forEach(visit);
      if (node.kind === NodeKind.Call && node.expression?.kind === NodeKind.PropertyAccess && node.expression.property?.text === "data") {
        const [first] = node.args;
        const type = node.typeArguments?.[0]?.name?.identifier?.text;
        if (first?.kind === NodeKind.Literal && first.literalKind === LiteralKind.Array && type in tables) {
          first.elementExpressions = tables[type].map((v) => integer(v, first.range));
          filled.add(type);
        }
      } else if (node.kind === NodeKind.Call && node.expression?.kind === NodeKind.Identifier && node.expression.text === "staticRegion") {
        const [first] = node.args;
        if (first?.kind === NodeKind.Literal && first.literalKind === LiteralKind.Integer) {
          const region = [...filled].filter((f) => f.startsWith("region")).length;
          node.args[0] = integer(regions[region], first.range);
          filled.add(`region ${region}`);
        }
      }
      for (const key of Object.keys(node)) if (key !== "range" && key !== "parent") visit(node[key]);
    };
    visit(table.statements);
    if (filled.size !== 4) throw new Error(`${LITERALS_FILE}.ts: placeholders missing (found ${[...filled].join(", ")})`);
  }
}
