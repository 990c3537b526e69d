// paybridge mini-program pay page. The H5 page inside the mini-program's
// <web-view> cannot pay itself: its Checkout hands the five wx.requestPayment
// fields to this page with wx.miniProgram.navigateTo
// ("/pages/paybridge/pay?timeStamp=…&nonceStr=…&package=…&signType=…&paySign=…&gateway=…&outTradeNo=…").
// This page pays and goes back; the web-view shows again and the Checkout
// asks the gateway (through the merchant's proxy) whether the order is paid —
// the result of wx.requestPayment is only a hint, so nothing is passed back.
//
// Written with the Component constructor, which the framework accepts for
// pages (page lifecycle functions such as onLoad go in `methods`).

/** The page's text in zh-CN, zh-HK and en. */
const TEXT = {
  "zh-CN": { title: "支付", paying: "正在打开微信支付…", invalid: "支付参数无效，请返回重试", back: "正在返回…", order: "订单号", button: "返回" },
  "zh-HK": { title: "支付", paying: "正在打開微信支付…", invalid: "支付參數無效，請返回重試", back: "正在返回…", order: "訂單編號", button: "返回" },
  en: { title: "Payment", paying: "Opening WeChat Pay…", invalid: "The payment details are invalid. Please go back and try again.", back: "Going back…", order: "Order", button: "Back" },
};

/** zh-CN, zh-HK or en for a language tag ("en", "zh_HK", "zh-Hant-TW"…), as the H5 Checkout reads locales. */
function localeOf(tag) {
  const t = tag.toLowerCase();
  if (!t.startsWith("zh")) return "en";
  return /hant|hk|tw|mo/.test(t) ? "zh-HK" : "zh-CN";
}

/** WeChat's own language ("zh_CN", "zh_HK", "zh_TW", "en"), or "" when it does not say. */
function wechatLanguage() {
  try {
    return (wx.getAppBaseInfo ? wx.getAppBaseInfo() : wx.getSystemInfoSync()).language || "";
  } catch (e) {
    return "";
  }
}

/** A query value as it arrived (WeChat leaves it percent-encoded), decoded; null when malformed. */
function decode(value) {
  try {
    return decodeURIComponent(value || "");
  } catch (e) {
    return null;
  }
}

Component({
  data: { state: "paying", outTradeNo: "", t: TEXT["zh-CN"] },

  methods: {
    // The query's `locale` (a merchant may set miniProgramPayPage to "/pages/paybridge/pay?locale=en")
    // wins over WeChat's language.
    onLoad(query) {
      const tag = decode(query.locale) || wechatLanguage();
      const t = TEXT[tag ? localeOf(tag) : "zh-CN"];
      wx.setNavigationBarTitle({ title: t.title });
      const q = {};
      for (const key of ["timeStamp", "nonceStr", "package", "signType", "paySign", "outTradeNo"]) q[key] = decode(query[key]);
      this.setData({ t, outTradeNo: q.outTradeNo || "" });
      if (!q.timeStamp || !q.nonceStr || !q.package || !q.paySign || q.signType === null) {
        this.setData({ state: "invalid" });
        return;
      }
      wx.requestPayment({
        timeStamp: q.timeStamp,
        nonceStr: q.nonceStr,
        package: q.package,
        signType: q.signType || "MD5",
        paySign: q.paySign,
        complete: (res) => {
          // "requestPayment:ok" | "requestPayment:fail cancel" | "requestPayment:fail …"
          const ok = /:ok$/.test(res.errMsg || "");
          this.setData({ state: ok ? "done" : "back" });
          wx.navigateBack({ delta: 1 });
        },
      });
    },

    // The payer may also tap "back" while the payment sheet is closed.
    back() {
      wx.navigateBack({ delta: 1 });
    },
  },
});
