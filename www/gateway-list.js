// The demo pages' gateway lists, built from the proxy's capabilities
// (`GET /proxy/capabilities`, `gateways` and `gatewayInfo`): every gateway the
// proxy serves, named in the page's language by the library's gateway
// registry, so that no page lists gateways itself.
import { locale, onLocaleChange } from "./i18n.js";

/**
 * Fills `select` with the proxy's gateways — only those offering `mode`, when
 * given — and renames them on a language switch; `label(gateway)` may give a
 * page's own label (a string) instead of the gateway's name. Resolves once
 * the options are in place; rejects when the proxy does not answer.
 */
export async function fillGateways(select, { mode, label } = {}) {
  const res = await fetch("/proxy/capabilities");
  if (!res.ok) throw new Error(`/proxy/capabilities: HTTP ${res.status}`);
  const { gateways, gatewayInfo = {} } = await res.json();
  const offered = gateways.filter((g) => !mode || gatewayInfo[g]?.modes.includes(mode));
  select.replaceChildren(...offered.map((g) => Object.assign(document.createElement("option"), { value: g })));
  const rename = () => {
    for (const option of select.options) option.textContent = label?.(option.value) ?? gatewayInfo[option.value]?.name[locale()] ?? option.value;
  };
  rename();
  onLocaleChange(rename);
}
