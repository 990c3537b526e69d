// The smallest mini-program around paybridge's two pages: the H5 checkout in
// a web-view (pages/checkout) and the native pay page it hands over to
// (pages/paybridge/pay). A merchant's own app keeps its own App() and adds
// these pages.
App({});
