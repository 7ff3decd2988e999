// Typed members of parsed JSON objects, read with their field paths: the one reader behind the
// policy's settings and the SDK's OCI decoding. A member of the wrong type is a problem named by
// its path ("manifest.layers[2].digest is not a string", "licenses.allow[0]: must be a string");
// the first problem of a document is kept, later ones are ignored. Absent and JSON null members
// are "not written": the caller's default applies.

import { JsonKind, JsonValue } from "./json/reader";

/** How problems are spelled: "<path><separator><problem>". */
export class Wording {
  constructor(
    public separator: string,
    public notBool: string,
    public notString: string,
    public notInteger: string,
    public notArray: string,
    public notObject: string,
    /** map entries as `path["key"]` (true) or `path.key` (false) */
    public quotedEntries: bool,
  ) {}
}

/** The wording of decoded host replies and Kubernetes objects: "manifest.config is not an object". */
export const DECODING: Wording = new Wording(" ", "is not true or false", "is not a string", "is not an integer", "is not an array", "is not an object", false);

/** The first problem found while a document is read; shared by the readers of its parts. */
class FirstProblem {
  text: string | null = null;
}

/** The member of `object`, or null when absent or JSON null. */
function written(object: JsonValue, key: string): JsonValue | null {
  const value = object.get(key);
  return value == null || value.isNull ? null : value;
}

/**
 * Where a value is in its document. Readers of nested values keep their parent and their key or
 * index; the path is spelled out only when a problem is recorded, so reading a well-formed
 * document builds no path strings.
 */
abstract class Place {
  /** the path, "" for a document's root */
  abstract pathText(): string;
}

/** Members of one JSON object. */
export class FieldReader extends Place {
  constructor(
    private json: JsonValue,
    /** the reader this object was reached from, null for a document's root */
    private parent: Place | null,
    /** the member key this object is under (the root: the document's own path) */
    private name: string,
    /** the array index this object is at, -1 when it is a member */
    private index: i32,
    public wording: Wording,
    private first: FirstProblem,
  ) {
    super();
  }

  /** A reader of `object` (a JSON object) at `path`, starting a document's problem record. */
  static of(object: JsonValue, path: string, wording: Wording): FieldReader {
    return new FieldReader(object, null, path, -1, wording, new FirstProblem());
  }

  pathText(): string {
    const parent = this.parent;
    if (parent == null) return this.name;
    const base = parent.pathText();
    if (this.index >= 0) return base + "[" + this.index.toString() + "]";
    return base.length == 0 ? this.name : base + "." + this.name;
  }

  /** The object's own path, "" for a document's root. */
  get path(): string {
    return this.pathText();
  }

  /** The first problem recorded, "<path><separator><problem>". */
  get error(): string | null {
    return this.first.text;
  }

  /** The path of member `key`. */
  at(key: string): string {
    const path = this.path;
    return path.length == 0 ? key : path + "." + key;
  }

  /** Records `problem` about member `key` (first problem only). */
  fail(key: string, problem: string): void {
    this.failAt(this.at(key), problem);
  }

  /** Records `problem` about the value at `path` (first problem only). */
  failAt(path: string, problem: string): void {
    if (this.first.text == null) this.first.text = path + this.wording.separator + problem;
  }

  /** A reader of object `object` of the same document, member `name` or item `index` of `parent`. */
  child(object: JsonValue, parent: Place, name: string, index: i32): FieldReader {
    return new FieldReader(object, parent, name, index, this.wording, this.first);
  }

  get size(): i32 {
    return this.json.length;
  }

  /** The first key that is not in `known`, or null. */
  unknownKey(known: string[]): string | null {
    const object = this.json;
    for (let member = object.first(); member != null; member = object.next(member!)) {
      const key = member.str()!;
      if (!known.includes(key)) return key;
    }
    return null;
  }

  /** Whether member `key` is written (present and not null). */
  has(key: string): bool {
    return written(this.json, key) != null;
  }

  /** The member's node, null when not written (SDK use: the caller checks its type). */
  node(key: string): JsonValue | null {
    return written(this.json, key);
  }

  bool(key: string, fallback: bool): bool {
    const value = written(this.json, key);
    if (value == null) return fallback;
    if (!value.isBool) {
      this.fail(key, this.wording.notBool);
      return fallback;
    }
    return value.kind == JsonKind.True;
  }

  /** Member `key` when written as a `kind` value; null when not written, or written as another type (`problem` recorded). */
  private typed(key: string, kind: JsonKind, problem: string): JsonValue | null {
    const value = written(this.json, key);
    if (value == null) return null;
    if (value.kind != kind) {
      this.fail(key, problem);
      return null;
    }
    return value;
  }

  /** A string member, undecoded (SDK use); null when not written or of the wrong type. */
  stringNode(key: string): JsonValue | null {
    return this.typed(key, JsonKind.String, this.wording.notString);
  }

  string(key: string): string | null {
    const value = this.stringNode(key);
    return value == null ? null : value.str();
  }

  integer(key: string, fallback: i64): i64 {
    const value = written(this.json, key);
    if (value == null) return fallback;
    if (!value.isInteger) {
      this.fail(key, this.wording.notInteger);
      return fallback;
    }
    return value.integer();
  }

  /** A nested object. */
  object(key: string): FieldReader | null {
    const value = this.typed(key, JsonKind.Object, this.wording.notObject);
    return value != null ? this.child(value, this, key, -1) : null;
  }

  /** A nested array. */
  list(key: string): ListReader | null {
    const value = this.typed(key, JsonKind.Array, this.wording.notArray);
    return value != null ? new ListReader(value, key, this) : null;
  }

  /** An array of strings ([] when not written); reading stops at the first item of another type. */
  stringList(key: string): string[] {
    const strings = new Array<string>();
    const list = this.list(key);
    if (list == null) return strings;
    for (let i = 0; i < list.size; i++) {
      const text = list.string(i);
      if (text == null) break;
      strings.push(text);
    }
    return strings;
  }

  /** A nested object read as entries; `problem` replaces the wording's "not an object". */
  map(key: string, problem: string | null = null): MapReader | null {
    const value = this.typed(key, JsonKind.Object, problem != null ? problem : this.wording.notObject);
    return value != null ? new MapReader(value, key, this) : null;
  }

  /** An object whose values must all be strings (annotations, labels), as a lazy view. */
  stringMap(key: string): StringMap | null {
    const map = this.map(key);
    if (map == null) return null;
    for (let i = 0; i < map.size; i++) {
      if (!map.isString(i)) {
        map.fail(i, this.wording.notString);
        return null;
      }
    }
    return new StringMap(map.value);
  }
}

/** The items of a JSON array or the values of a JSON object, by position. */
abstract class ItemReader extends Place {
  /** the child asked for last and its position: reading them in order walks the tape once */
  private cursor: JsonValue | null = null;
  private cursorIndex: i32 = 0;

  constructor(
    public value: JsonValue,
    /** the member of `owner` this array or object is */
    private key: string,
    protected owner: FieldReader,
  ) {
    super();
  }

  pathText(): string {
    return this.owner.at(this.key);
  }

  get path(): string {
    return this.pathText();
  }

  get size(): i32 {
    return this.value.length;
  }

  /** The path of item `index`. */
  abstract at(index: i32): string;

  /** Item `index` of the array, or the key of member `index` of the object (0 ≤ index < size). */
  protected child(index: i32): JsonValue {
    let child = this.cursor;
    let i = this.cursorIndex;
    if (child == null || index < i) {
      child = this.value.first()!;
      i = 0;
    }
    for (; i < index; i++) child = this.value.next(child)!;
    this.cursor = child;
    this.cursorIndex = index;
    return child;
  }

  abstract item(index: i32): JsonValue;

  fail(index: i32, problem: string): void {
    this.owner.failAt(this.at(index), problem);
  }

  isString(index: i32): bool {
    return this.item(index).isString;
  }

  string(index: i32): string | null {
    const text = this.item(index).str();
    if (text == null) this.fail(index, this.owner.wording.notString);
    return text;
  }
}

/** Items of one JSON array. */
export class ListReader extends ItemReader {
  /** "path[index]" */
  at(index: i32): string {
    return this.path + "[" + index.toString() + "]";
  }

  item(index: i32): JsonValue {
    return this.child(index);
  }

  object(index: i32): FieldReader | null {
    const item = this.item(index);
    if (!item.isObject) {
      this.fail(index, this.owner.wording.notObject);
      return null;
    }
    return this.owner.child(item, this, "", index);
  }
}

/** Entries of one JSON object read as a map. */
export class MapReader extends ItemReader {
  keyAt(index: i32): string {
    return this.child(index).str()!;
  }

  /** `path["key"]` or `path.key`, per the wording. */
  at(index: i32): string {
    const key = this.keyAt(index);
    return this.owner.wording.quotedEntries ? this.path + "[\"" + key + "\"]" : this.path + "." + key;
  }

  item(index: i32): JsonValue {
    return this.child(index).valueOfKey();
  }
}

/**
 * A JSON object whose values were all checked to be strings (annotations, labels): a view that
 * decodes a value only when it is asked for. Duplicate keys: the last one wins, as in serde_json.
 */
export class StringMap {
  constructor(public node: JsonValue) {}

  get size(): i32 {
    return this.node.length;
  }

  has(key: string): bool {
    return this.node.get(key) != null;
  }

  /** The value of `key`, or null when absent. */
  get(key: string): string | null {
    const value = this.node.get(key);
    return value == null ? null : value.str();
  }

  /** The keys in document order. */
  keys(): string[] {
    const keys = new Array<string>();
    const object = this.node;
    for (let member = object.first(); member != null; member = object.next(member!)) keys.push(member.str()!);
    return keys;
  }
}
