// The proxy conformance suite (tests/conformance/conformance.mjs) against our
// own reference proxy in the demo server: it must pass every check.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startDemo } from "./harness.mjs";
import { runConformance, CHECKS } from "../conformance/conformance.mjs";

let demo;
before(async () => { demo = await startDemo(); });
after(() => demo?.stop());

test("the reference proxy passes the conformance suite", async () => {
  const base = demo.url.replace(/\/$/, "");
  const { passed, failed, results } = await runConformance({ proxy: `${base}/proxy`, shop: `${base}/shop`, sandbox: `${base}/sandbox`, gateway: "blueocean" });
  assert.equal(failed, 0, results.filter((r) => !r.ok).map((r) => `${r.name}: ${r.note}`).join("\n"));
  assert.equal(passed, CHECKS.length);
});
