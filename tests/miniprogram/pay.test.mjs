// The native pay page (www/miniprogram/pages/paybridge/pay.*) run by WeChat's
// miniprogram-simulate with the official WXML compiler: the query the H5
// Checkout hands over is decoded, wx.requestPayment gets exactly the five
// fields, a bad query shows the invalid state and pays nothing, every end goes
// back to the web-view, and the page speaks zh-CN, zh-HK and en.
import { test, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { openPage, simulate, wechatQuery } from "./simulate.mjs";

// The hand-off URL src/checkout/bridge.rs `mini_program_url` builds for the BlueOcean vector
// (asserted in src/checkout/tests.rs), and one with an RSA signature full of reserved characters.
const HANDOFF =
  "/pages/paybridge/pay?timeStamp=1530669821&nonceStr=lNTHG8Uf5K72iVgZEyJH&package=prepay_id%3Dwx04100341876500f618f0cxxxxxxxxxxxxxx&signType=MD5&paySign=CED5552DA5C377F3E65818C7A66AF45C&gateway=blueocean&outTradeNo=ORDER1234";
const HANDOFF_RSA = "/pages/paybridge/pay?timeStamp=1&nonceStr=n%20n&package=prepay_id%3D1%26x&signType=RSA&paySign=a%2Bb%2Fc%3D&gateway=hipopay&outTradeNo=A1";

/** What the page asked of wx, in order. */
let calls;

/** Recording stand-ins for the wx APIs the page uses; WeChat's language is `language`. */
function fakeWx({ language = "zh_CN" } = {}) {
  calls = [];
  wx.getAppBaseInfo = () => ({ language });
  wx.setNavigationBarTitle = (o) => calls.push(["setNavigationBarTitle", o]);
  wx.requestPayment = (o) => calls.push(["requestPayment", o]);
  wx.navigateBack = (o) => calls.push(["navigateBack", o]);
}

beforeEach(() => fakeWx());

const named = (name) => calls.filter(([n]) => n === name).map(([, o]) => o);
const text = (page, selector) => page.querySelector(selector)?.dom.textContent;
/** Taps the back button; the simulator delivers the event after the current task, as WeChat does. */
const tapBack = async (page) => {
  page.querySelector(".back").dispatchEvent("tap");
  await simulate.sleep(0);
};

test("decodes the hand-off query and calls wx.requestPayment with exactly the five fields", () => {
  const page = openPage("pages/paybridge/pay", wechatQuery(HANDOFF));
  const [pay, ...more] = named("requestPayment");
  assert.deepEqual(more, []);
  const fields = Object.fromEntries(Object.entries(pay).filter(([, v]) => typeof v !== "function"));
  assert.deepEqual(fields, {
    timeStamp: "1530669821",
    nonceStr: "lNTHG8Uf5K72iVgZEyJH",
    package: "prepay_id=wx04100341876500f618f0cxxxxxxxxxxxxxx",
    signType: "MD5",
    paySign: "CED5552DA5C377F3E65818C7A66AF45C",
  });
  assert.equal(typeof pay.complete, "function");
  assert.equal(text(page, ".message"), "正在打开微信支付…");
  assert.equal(text(page, ".order"), "订单号 ORDER1234");
  assert.deepEqual(named("navigateBack"), [], "nothing goes back before WeChat Pay answers");
});

test("percent-encoded reserved characters reach wx.requestPayment decoded once", () => {
  openPage("pages/paybridge/pay", wechatQuery(HANDOFF_RSA));
  const [pay] = named("requestPayment");
  assert.deepEqual([pay.nonceStr, pay.package, pay.signType, pay.paySign], ["n n", "prepay_id=1&x", "RSA", "a+b/c="]);
});

for (const [errMsg, state, shown] of [
  ["requestPayment:ok", "done", "正在返回…"],
  ["requestPayment:fail cancel", "back", "正在返回…"],
  ["requestPayment:fail (detail message)", "back", "正在返回…"],
]) {
  test(`WeChat Pay answers "${errMsg}": the page goes back once to the web-view`, () => {
    const page = openPage("pages/paybridge/pay", wechatQuery(HANDOFF));
    named("requestPayment")[0].complete({ errMsg });
    assert.equal(page.data.state, state);
    assert.equal(text(page, ".message"), shown);
    assert.deepEqual(named("navigateBack"), [{ delta: 1 }]);
  });
}

test("the back button goes back while the payment sheet is closed", async () => {
  const page = openPage("pages/paybridge/pay", wechatQuery(HANDOFF));
  await tapBack(page);
  assert.deepEqual(named("navigateBack"), [{ delta: 1 }]);
});

for (const [why, url] of [
  ["no query at all", "/pages/paybridge/pay"],
  ["no paySign", HANDOFF.replace(/&paySign=[^&]*/, "")],
  ["no package", HANDOFF.replace(/&package=[^&]*/, "")],
  ["no timeStamp", HANDOFF.replace(/timeStamp=[^&]*&/, "")],
  ["no nonceStr", HANDOFF.replace(/&nonceStr=[^&]*/, "")],
  ["a malformed percent-escape", HANDOFF.replace("paySign=CED", "paySign=%E0%A4%ZZ")],
  ["a malformed signType", HANDOFF.replace("signType=MD5", "signType=%ZZ")],
]) {
  test(`invalid query (${why}): nothing is paid, the invalid state is shown, back goes back`, async () => {
    const page = openPage("pages/paybridge/pay", wechatQuery(url));
    assert.deepEqual(named("requestPayment"), []);
    assert.equal(page.data.state, "invalid");
    assert.equal(text(page, ".message"), "支付参数无效，请返回重试");
    await tapBack(page);
    assert.deepEqual(named("navigateBack"), [{ delta: 1 }]);
  });
}

const ZH_CN = { title: "支付", paying: "正在打开微信支付…", invalid: "支付参数无效，请返回重试", back: "正在返回…", order: "订单号 ORDER1234", button: "返回" };
const ZH_HK = { title: "支付", paying: "正在打開微信支付…", invalid: "支付參數無效，請返回重試", back: "正在返回…", order: "訂單編號 ORDER1234", button: "返回" };
const EN = { title: "Payment", paying: "Opening WeChat Pay…", invalid: "The payment details are invalid. Please go back and try again.", back: "Going back…", order: "Order ORDER1234", button: "Back" };

for (const [source, language, locale, want] of [
  ["WeChat's language", "zh_CN", undefined, ZH_CN],
  ["WeChat's language", "zh_HK", undefined, ZH_HK],
  ["WeChat's language", "zh_TW", undefined, ZH_HK],
  ["WeChat's language", "en", undefined, EN],
  ["the query's locale over WeChat's language", "zh_CN", "en", EN],
  ["the query's locale over WeChat's language", "en", "zh-HK", ZH_HK],
  ["the query's locale over WeChat's language", "en", "zh-CN", ZH_CN],
]) {
  test(`speaks ${want === EN ? "en" : want === ZH_HK ? "zh-HK" : "zh-CN"} from ${source} (${locale ?? language})`, () => {
    fakeWx({ language });
    const suffix = locale ? `&locale=${encodeURIComponent(locale)}` : "";
    const page = openPage("pages/paybridge/pay", wechatQuery(HANDOFF + suffix));
    assert.deepEqual(named("setNavigationBarTitle"), [{ title: want.title }]);
    assert.deepEqual([text(page, ".message"), text(page, ".order"), text(page, ".back")], [want.paying, want.order, want.button]);
    named("requestPayment")[0].complete({ errMsg: "requestPayment:fail cancel" });
    assert.equal(text(page, ".message"), want.back);
    fakeWx({ language });
    const invalid = openPage("pages/paybridge/pay", wechatQuery(`/pages/paybridge/pay?outTradeNo=ORDER1234${suffix}`));
    assert.equal(text(invalid, ".message"), want.invalid);
  });
}

test("reads WeChat's language from getSystemInfoSync where getAppBaseInfo is missing (older base libraries)", () => {
  fakeWx();
  wx.getAppBaseInfo = undefined;
  wx.getSystemInfoSync = () => ({ language: "en" });
  const page = openPage("pages/paybridge/pay", wechatQuery(HANDOFF));
  assert.equal(text(page, ".message"), EN.paying);
});
