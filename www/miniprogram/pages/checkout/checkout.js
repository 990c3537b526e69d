// The H5 checkout in a <web-view>. Open it with the order in the query, e.g.
// wx.navigateTo({ url: "/pages/checkout/checkout?order=" + encodeURIComponent(no) }):
// every query parameter is passed on to the H5 page (config.js `checkoutUrl`),
// with a fresh `wx.login` code as `code`: a HipoPay Checkout exchanges it
// through the merchant's proxy for the payer's openid (seed 002 §4.4 step 1),
// so the merchant passes only the order. Without a code (login failed) the
// query goes on as it is and the page must be given the openid.
// That page's Checkout hands the payment over to /pages/paybridge/pay and
// queries the order when this page shows again.
const { checkoutUrl } = require("../../config.js");

/** A query value as it arrived (WeChat leaves it percent-encoded), decoded; as it is when malformed. */
function decode(value) {
  try {
    return decodeURIComponent(value);
  } catch (e) {
    return value;
  }
}

/** `url` with `query`'s parameters added (before any #fragment), each encoded once. */
function withQuery(url, query) {
  const hash = url.indexOf("#");
  const base = hash < 0 ? url : url.slice(0, hash);
  const pairs = Object.keys(query).map((k) => `${encodeURIComponent(k)}=${encodeURIComponent(decode(String(query[k])))}`);
  if (!pairs.length) return url;
  return `${base}${base.includes("?") ? "&" : "?"}${pairs.join("&")}${hash < 0 ? "" : url.slice(hash)}`;
}

Component({
  data: { src: "" },

  methods: {
    onLoad(query) {
      const show = (extra) => this.setData({ src: withQuery(checkoutUrl, { ...query, ...extra }) });
      wx.login({
        success: (res) => show(res && res.code ? { code: res.code } : {}),
        fail: () => show({}),
      });
    },
  },
});
