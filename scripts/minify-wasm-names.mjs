// Renames the wasm's imports and exports to one or two letters (and puts
// every import in one module with a one-letter name) and rewrites
// wasm-bindgen's glue and .d.ts files to match (scripts/build-pkg runs it
// before bundling the glue). wasm-bindgen names imports after the JS function
// plus a 16-hex-digit hash (`__wbg_now_463ac581d2fc7ea3`) and exports after
// Rust paths; both copies, in the wasm and in the glue, are bytes a page loads.
//   node scripts/minify-wasm-names.mjs <pkg dir>
// Fails, leaving the directory as it was, if any old name would stay behind.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync, renameSync } from "node:fs";
import { join } from "node:path";

const dir = process.argv[2];
const wasm = join(dir, "paybridge_bg.wasm");
const features = ["bulk-memory", "reference-types", "multivalue", "nontrapping-float-to-int", "sign-ext", "mutable-globals"].map((f) => `--enable-${f}`);
// wasm-opt prints the mapping as JSON: {imports: [[module, old, new]…], exports: [[old, new]…]}.
const out = execFileSync("node_modules/.bin/wasm-opt", ["--minify-imports-and-exports-and-modules", ...features, wasm, "-o", `${wasm}.min`], { encoding: "utf8" });
const map = JSON.parse(out.slice(out.indexOf("{")));
const modules = new Set(WebAssembly.Module.imports(new WebAssembly.Module(readFileSync(`${wasm}.min`))).map((i) => i.module));
if (modules.size !== 1) throw new Error(`minify-wasm-names: expected one import module, got ${[...modules]}`);
const [moduleName] = modules;

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const replaceAll = (text, pattern, to, what) => {
  const re = new RegExp(pattern, "g");
  if (!re.test(text)) throw new Error(`minify-wasm-names: ${what} not found in the glue`);
  return text.replace(re, to);
};

let glue = readFileSync(join(dir, "paybridge.js"), "utf8");
const glueModule = "./paybridge_bg.js";
const snippets = new Map(); // module path → [[old, new]…]
for (const [module, from, to] of map.imports) {
  if (module === glueModule) {
    // A key of the glue's own import object: `__wbg_now_463ac581d2fc7ea3: function() {`.
    glue = replaceAll(glue, `(?<=[\\s{,])${escape(from)}(?=\\s*:)`, to, `import ${from}`);
  } else {
    if (!snippets.has(module)) snippets.set(module, []);
    snippets.get(module).push([from, to]);
  }
}
// The import object: `{ "./paybridge_bg.js": import0, "./snippets/…/x.js": import1, … }` becomes one module,
// the glue's own functions plus each snippet function under its new name.
const modulesAt = /(return\s*\{\s*__proto__:\s*null,)([^{}]*)(\};)/;
const [, open, entries, close] = glue.match(modulesAt) ?? [];
if (!entries) throw new Error("minify-wasm-names: the glue's import object was not found");
const namespaces = new Map([...entries.matchAll(/("[^"]+")\s*:\s*(import\d+)/g)].map(([, m, ns]) => [JSON.parse(m), ns]));
const members = [`...${namespaces.get(glueModule)}`];
for (const [module, names] of snippets) {
  if (!namespaces.has(module)) throw new Error(`minify-wasm-names: module ${module} not found in the glue`);
  for (const [from, to] of names) members.push(`${to}: ${namespaces.get(module)}.${from}`);
}
glue = glue.replace(modulesAt, `${open} ${JSON.stringify(moduleName)}: { ${members.join(", ")} } ${close}`);
for (const [from, to] of map.exports) {
  // Exports the glue never names (e.g. `__abort_handler`) need nothing.
  if (!glue.includes(from)) continue;
  glue = replaceAll(glue, `\\bwasm\\.${escape(from)}\\b`, `wasm.${to}`, `export ${from}`);
}

// The raw exports' declarations (`InitOutput`, paybridge_bg.wasm.d.ts) follow the new names.
const declarations = {};
for (const file of ["paybridge.d.ts", "paybridge_bg.wasm.d.ts"]) {
  let text = readFileSync(join(dir, file), "utf8");
  for (const [from, to] of map.exports) {
    text = text.replace(new RegExp(`(readonly |export const )${escape(from)}(?=:)`, "g"), `$1${to}`);
  }
  declarations[file] = text;
}

writeFileSync(join(dir, "paybridge.js"), glue);
for (const [file, text] of Object.entries(declarations)) writeFileSync(join(dir, file), text);
renameSync(`${wasm}.min`, wasm);
