// Prints raw, gzip -9 and brotli sizes of the given files and their total.
import { readFileSync } from "node:fs";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";

const rows = process.argv.slice(2).map((file) => {
  const data = readFileSync(file);
  return {
    file: file.replace(/snippets\/[^/]+\/src\/web\//, "snippets/…/"),
    raw: data.length,
    gzip: gzipSync(data, { level: 9 }).length,
    brotli: brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
});
const total = rows.reduce((t, r) => ({ file: "total", raw: t.raw + r.raw, gzip: t.gzip + r.gzip, brotli: t.brotli + r.brotli }), { raw: 0, gzip: 0, brotli: 0 });
const kb = (n) => `${(n / 1024).toFixed(1)} KB`.padStart(9);
console.log(`${"file".padEnd(34)}${"raw".padStart(9)}${"gzip -9".padStart(9)}${"brotli".padStart(9)}`);
for (const r of [...rows, total]) console.log(`${r.file.padEnd(34)}${kb(r.raw)}${kb(r.gzip)}${kb(r.brotli)}`);
