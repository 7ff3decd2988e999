// An asc transform (asconfig.json "transform"; https://www.assemblyscript.org/compiler.html#transforms)
// that stores the policy's string literals as Latin-1 bytes instead of UTF-16 data segments.
//
// Why: AssemblyScript keeps every string literal as a static UTF-16 object with a header, in data
// segments of its own; the policy's messages were a third of policy.wasm, half of it zero bytes.
// Here each literal of assembly/ (not the standard library) whose characters are all Latin-1 is
// replaced by the call `__literal(text, length, slot)` (assembly/sdk/literals.ts): `text` is its
// offset in one Latin-1 byte table, `slot` its offset in a zero-filled static region where the
// string object is written on first use and found again on every later one. The byte table and
// the region's size are written into the placeholders of literals.ts. Literals are left as they
// are inside decorators (`@external("wapc", …)`), import and export paths, and when empty or not
// Latin-1. Without assembly/sdk/literals.ts in the program (the test harnesses) nothing changes.

import { LiteralKind, Node, NodeKind } from "assemblyscript";

const LITERALS_FILE = "assembly/sdk/literals";
/** Bytes before a string's characters: BLOCK mmInfo + OBJECT gcInfo, gcInfo2, rtId, rtSize (~lib/rt/common.ts). */
const HEADER = 20;
/** Slots start 16-byte aligned after their header, as the runtime allocates objects. */
const ALIGN = 16;

const isLatin1 = (text) => [...text].every((c) => c.codePointAt(0) <= 0xff);
const integer = (value, range) => Node.createIntegerLiteralExpression(globalThis.i64_new(value, 0), range);

export default class Latin1Literals {
  afterParse(parser) {
    const sources = parser.sources.filter((s) => !s.normalizedPath.startsWith("~lib/"));
    const table = sources.find((s) => s.normalizedPath === `${LITERALS_FILE}.ts`);
    if (!table) return;
    const literals = new Map(); // text → { text offset, slot offset }
    const bytes = [];
    let slots = 0;
    const place = (value) => {
      let placed = literals.get(value);
      if (!placed) {
        const slot = Math.ceil((slots + HEADER) / ALIGN) * ALIGN;
        placed = { text: bytes.length, slot };
        for (const c of value) bytes.push(c.codePointAt(0));
        slots = slot + value.length * 2;
        literals.set(value, placed);
      }
      return placed;
    };
    const rewrite = (node, parent) => {
      if (!node || typeof node !== "object") return node;
      if (Array.isArray(node)) {
        for (let i = 0; i < node.length; i++) node[i] = rewrite(node[i], parent);
        return node;
      }
      if (typeof node.kind !== "number") return node;
      if (node.kind === NodeKind.Import || node.kind === NodeKind.Export || node.kind === NodeKind.ExportImport) return node;
      if (node.kind === NodeKind.Literal && node.literalKind === LiteralKind.String) {
        if (node.value.length === 0 || !isLatin1(node.value)) return node;
        const { text, slot } = place(node.value);
        const callee = Node.createIdentifierExpression("__literal", node.range);
        return Node.createCallExpression(callee, null, [integer(text, node.range), integer(node.value.length, node.range), integer(slot, node.range)], node.range);
      }
      for (const key of Object.keys(node)) {
        if (key === "range" || key === "decorators" || key === "parent") continue;
        node[key] = rewrite(node[key], node);
      }
      return node;
    };
    for (const source of sources) if (source !== table) rewrite(source.statements, source);
    this.fill(table, bytes, slots);
  }

  /** Writes the byte table into `memory.data<u8>([0])` and the region size into `memory.data(0, 16)` of literals.ts. */
  fill(table, bytes, slots) {
    let filledText = false;
    let filledSlots = false;
    const visit = (node) => {
      if (!node || typeof node !== "object") return;
      if (Array.isArray(node)) return node.forEach(visit);
      if (node.kind === NodeKind.Call && node.expression?.kind === NodeKind.PropertyAccess && node.expression.property?.text === "data") {
        const [first] = node.args;
        if (first?.kind === NodeKind.Literal && first.literalKind === LiteralKind.Array) {
          first.elementExpressions = (bytes.length ? bytes : [0]).map((b) => integer(b, first.range));
          filledText = true;
        } else if (first?.kind === NodeKind.Literal && first.literalKind === LiteralKind.Integer) {
          node.args[0] = integer(Math.max(slots + ALIGN, ALIGN), first.range);
          filledSlots = true;
        }
      }
      for (const key of Object.keys(node)) if (key !== "range" && key !== "parent") visit(node[key]);
    };
    visit(table.statements);
    if (!filledText || !filledSlots) throw new Error(`${LITERALS_FILE}.ts: the placeholders memory.data<u8>([0]) and memory.data(0, 16) are missing`);
  }
}
