// The layering of the code base as a test: no import cycle among the repository's TypeScript and
// AssemblyScript modules, and the SDK (assembly/sdk/) never imports the policy (assembly/policy/),
// whose checks never read JSON themselves (assembly/sdk/json/ stays inside the SDK).

import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { ROOT } from "./support/workloads";

const SOURCE_ROOTS = ["assembly", "host", "scripts", "tests"];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith(".ts") ? [path] : [];
  });
}

/** Module → the repository modules it imports (relative `import … from "./x"` and `export … from`). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of SOURCE_ROOTS.flatMap((root) => sourceFiles(join(ROOT, root)))) {
    const text = readFileSync(file, "utf8");
    const imports: string[] = [];
    for (const match of text.matchAll(/^(?:import|export)\s[^;]*?from\s+"(\.{1,2}\/[^"]+)"/gms)) {
      const target = normalize(join(dirname(file), match[1]));
      const resolved = [`${target}.ts`, join(target, "index.ts")].find((candidate) => existsSync(candidate));
      if (resolved) imports.push(resolved);
    }
    graph.set(file, imports);
  }
  return graph;
}

/** The import cycles found by a depth-first walk, each as a list of repository paths. */
function cycles(graph: Map<string, string[]>): string[][] {
  const state = new Map<string, "open" | "done">();
  const found: string[][] = [];
  const walk = (module: string, stack: string[]): void => {
    state.set(module, "open");
    stack.push(module);
    for (const next of graph.get(module) ?? []) {
      if (state.get(next) === "open") found.push([...stack.slice(stack.indexOf(next)), next].map((p) => relative(ROOT, p)));
      else if (!state.has(next)) walk(next, stack);
    }
    stack.pop();
    state.set(module, "done");
  };
  for (const module of graph.keys()) if (!state.has(module)) walk(module, []);
  return found;
}

const graph = importGraph();
const importsOf = (prefix: string): Array<[string, string]> =>
  [...graph]
    .filter(([file]) => relative(ROOT, file).startsWith(prefix))
    .flatMap(([file, targets]) => targets.map((t): [string, string] => [relative(ROOT, file), relative(ROOT, t)]));

test("the walk finds a cycle where there is one", () => {
  expect(
    cycles(
      new Map([
        ["a", ["b"]],
        ["b", ["c"]],
        ["c", ["a"]],
      ]),
    ),
  ).toHaveLength(1);
});

test("no import cycle", () => {
  expect(graph.size).toBeGreaterThan(50);
  expect(cycles(graph)).toEqual([]);
});

test("the SDK never imports the policy", () => {
  expect(importsOf("assembly/sdk/").filter(([, target]) => target.startsWith("assembly/policy/"))).toEqual([]);
});

test("the policy reads no JSON itself: only the SDK imports assembly/sdk/json/", () => {
  expect(importsOf("assembly/policy/").length).toBeGreaterThan(10);
  expect(importsOf("assembly/policy/").filter(([, target]) => target.startsWith("assembly/sdk/json/"))).toEqual([]);
});
