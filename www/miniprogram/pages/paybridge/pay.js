// paybridge mini-program pay page (native). The H5 page inside the
// mini-program's <web-view> cannot pay itself: its Checkout hands the five
// wx.requestPayment fields to this page with wx.miniProgram.navigateTo
// ("/pages/paybridge/pay?timeStamp=…&nonceStr=…&package=…&signType=…&paySign=…&gateway=…&outTradeNo=…").
// This page pays and goes back; the web-view shows again and the Checkout
// asks the gateway (through the merchant's proxy) whether the order is paid —
// the result of wx.requestPayment is only a hint, so nothing is passed back.
Page({
  data: { state: "paying", outTradeNo: "" },

  onLoad(query) {
    // Query values arrive percent-encoded (package is "prepay_id%3D…").
    const q = {};
    for (const key of ["timeStamp", "nonceStr", "package", "signType", "paySign", "outTradeNo"]) {
      q[key] = decodeURIComponent(query[key] || "");
    }
    this.setData({ outTradeNo: q.outTradeNo });
    if (!q.package || !q.paySign) {
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
});
