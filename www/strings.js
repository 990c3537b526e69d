// Reads the demo pages' string table, strings.txt: one row per key,
// `key|zh-CN|zh-HK|en` (the order of LOCALES in i18n.js); blank lines and
// `#` comments are skipped. The sandbox's wallet page reads the same table
// (paybridge::i18n::Table), so the demo pages have one table.

/** The rows of a table's text as key → [zh-CN, zh-HK, en]. */
export function parseTable(text) {
  const rows = text.split("\n").filter((line) => line && !line.startsWith("#")).map((line) => line.split("|"));
  return Object.fromEntries(rows.map(([key, ...texts]) => [key, texts]));
}
