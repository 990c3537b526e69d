// What a merchant sets before opening this project: the H5 checkout page the
// web-view shows (its domain must be one of the mini-program's business
// domains, 业务域名, and HTTPS on a phone). The default is the demo server
// (`paybridge-proxy demo`, port 8080) for WeChat DevTools with domain checks
// off (project.config.json: urlCheck false).
module.exports = {
  checkoutUrl: "http://127.0.0.1:8080/checkout.html?gateway=blueocean&mode=jsapi&channel=wechat",
};
