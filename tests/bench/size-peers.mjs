// Size next to the peers: what a merchant page ships with paybridge (pkg/'s
// wasm + JS glue, and the JS snippets the glue imports) against the JS stack
// it would otherwise ship: pingpp-js's dist/pingpp.js (the Ping++ HTML5 SDK,
// which draws no QR code) plus npm `qrcode`'s browser build. npm `qrcode`
// 1.5.4 ships no prebuilt browser file, so its browser entry (lib/browser.js)
// is bundled here with esbuild, minified, as an IIFE.
// Prints a Markdown table: raw, gzip -9 and brotli q11 (node's zlib).
// A benchmark: nothing is asserted. PAYBRIDGE_PKG_DIR measures another pkg/.
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";
import { join, dirname, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const PKG = process.env.PAYBRIDGE_PKG_DIR || join(ROOT, "pkg");
const version = (name) => JSON.parse(readFileSync(join(ROOT, "node_modules", name, "package.json"), "utf8")).version;

function measure(data) {
  return {
    raw: data.length,
    gzip: gzipSync(data, { level: 9 }).length,
    brotli: brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: data.length } }).length,
  };
}

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith(".js") ? [path] : [];
  });
}

// Each file is compressed on its own (as a server sends it); a group's size is the sum.
const sum = (rows) => rows.reduce((t, r) => ({ raw: t.raw + r.raw, gzip: t.gzip + r.gzip, brotli: t.brotli + r.brotli }), { raw: 0, gzip: 0, brotli: 0 });
const wasm = measure(readFileSync(join(PKG, "paybridge_bg.wasm")));
const glue = measure(readFileSync(join(PKG, "paybridge.js")));
// scripts/build-pkg bundles the snippets into paybridge.js; a plain wasm-pack build leaves them in snippets/.
const snippetFiles = existsSync(join(PKG, "snippets")) ? files(join(PKG, "snippets")) : [];
const snippets = sum(snippetFiles.map((f) => measure(readFileSync(f))));

const esbuild = join(ROOT, "node_modules", ".bin", "esbuild");
const qrcodeBundle = execFileSync(esbuild, [join(ROOT, "node_modules/qrcode/lib/browser.js"), "--bundle", "--format=iife", "--global-name=QRCode", "--minify", "--log-level=error"]);
const qrcode = measure(qrcodeBundle);
const pingpp = measure(readFileSync(join(ROOT, "node_modules/pingpp-js/dist/pingpp.js")));

const rows = [
  ["paybridge_bg.wasm", wasm],
  ["paybridge.js (glue)", glue],
  [`pkg/snippets (${snippetFiles.length} JS files)`, snippets],
  ["**paybridge: wasm + glue**", sum([wasm, glue])],
  ["**paybridge: wasm + glue + snippets** (all a page loads)", sum([wasm, glue, snippets])],
  [`pingpp-js ${version("pingpp-js")} dist/pingpp.js`, pingpp],
  [`npm qrcode ${version("qrcode")} browser build (lib/browser.js, esbuild --bundle --minify)`, qrcode],
  ["**pingpp-js + qrcode**", sum([pingpp, qrcode])],
];
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
console.log(`Sizes of what a page loads (${relative(ROOT, PKG) || "."}/ and node_modules/), each file compressed on its own`);
console.log("| what | raw | gzip -9 | brotli q11 |");
console.log("|---|---|---|---|");
for (const [name, m] of rows) console.log(`| ${name} | ${kb(m.raw)} | ${kb(m.gzip)} | ${kb(m.brotli)} |`);
const ours = sum([wasm, glue, snippets]);
const peers = sum([pingpp, qrcode]);
console.log(`\npaybridge (all it loads) / (pingpp-js + qrcode): raw ${(ours.raw / peers.raw).toFixed(2)}×, gzip ${(ours.gzip / peers.gzip).toFixed(2)}×, brotli ${(ours.brotli / peers.brotli).toFixed(2)}×`);
