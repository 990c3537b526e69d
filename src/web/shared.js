// What the facade's JS shares: coded errors, option and page-global reads, and the widgets' DOM helpers.

/** A JS `Error` with `message` and `code`, and `gatewayCode`, `gatewayMessage`, `detail` where given. */
export function codedError(message, code, gatewayCode, gatewayMessage, detail) {
  const e = new Error(message);
  for (const [k, v] of Object.entries({ code, gatewayCode, gatewayMessage, detail })) if (v !== undefined) e[k] = v;
  return e;
}

/** `obj[key]`, with `null` read as `undefined` (an option not set); undefined when reading throws (a getter, a revoked proxy). */
export function optionOf(obj, key) {
  try {
    return obj[key] ?? undefined;
  } catch {
    return undefined;
  }
}

/** `globalThis[key]`, or `globalThis[key][inner]` when `inner` is given; undefined where a step is missing, is not an
 *  object or throws (as `Reflect.get` read it from the wasm before). */
export function globalProp(key, inner) {
  try {
    const v = globalThis[key];
    return inner === undefined ? v : Object(v) === v ? v[inner] : undefined;
  } catch {
    return undefined;
  }
}

/** A new `tag` element with class `cls` and text content `text` (each optional). */
export const el = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text != null) e.textContent = text;
  return e;
};

/** Dispatches a bubbling `name` CustomEvent with `detail` on `target`. */
export const emit = (target, name, detail) => target.dispatchEvent(new CustomEvent(name, { detail, bubbles: true }));
