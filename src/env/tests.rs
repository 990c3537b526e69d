use super::*;
use Container::*;

const IPHONE_WECHAT: &str =
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47(0x18002f2f) NetType/WIFI Language/zh_CN";
const MAC_SAFARI: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15";

/// (case, user agent, container, os, mobile, certain) with no hints.
const TABLE: &[(&str, &str, Container, Os, bool, bool)] = &[
    ("wechat ios (no mini-program hint yet)", IPHONE_WECHAT, Wechat, Os::Ios, true, false),
    ("wechat android", "Mozilla/5.0 (Linux; Android 13; V2148A Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 MMWEBID/2247 MicroMessenger/8.0.47.2560(0x28002F30) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64", Wechat, Os::Android, true, true),
    ("wechat mini-program android", "Mozilla/5.0 (Linux; Android 12; M2102K1C Build/SKQ1.211006.001; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/107.0.5304.141 Mobile Safari/537.36 XWEB/5023 MMWEBSDK/20230405 MMWEBID/8380 MicroMessenger/8.0.35.2360(0x2800235D) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64 miniProgram/wx1234567890abcdef", WechatMiniProgram, Os::Android, true, true),
    ("wechat mini-program ios with token", "Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.40(0x1800282a) NetType/WIFI Language/zh_CN miniProgram/wx1234567890abcdef", WechatMiniProgram, Os::Ios, true, true),
    ("wechat desktop windows", "Mozilla/5.0 (Windows NT 10.0; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/81.0.4044.138 Safari/537.36 NetType/WIFI MicroMessenger/7.0.20.1781(0x6700143B) WindowsWechat(0x63090a13) XWEB/8555 Flue", Wechat, Os::Other, false, true),
    ("wechat desktop mac", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) MicroMessenger/6.8.0(0x16080000) MacWechat/3.8.7(0x13080712) XWEB/1191 Flue", Wechat, Os::Other, false, true),
    ("wechat work android", "Mozilla/5.0 (Linux; Android 10; HMA-AL00 Build/HUAWEIHMA-AL00; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/77.0.3865.120 MQQBrowser/6.2 TBS/045513 Mobile Safari/537.36 wxwork/3.1.16 MicroMessenger/7.0.1 NetType/WIFI Language/zh ColorScheme/Light", Mobile, Os::Android, true, true),
    ("wechat work windows", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/86.0.4240.198 Safari/537.36 wxwork/4.1.10 (MicroMessenger/6.2) WindowsWechat", Desktop, Os::Other, false, true),
    ("alipay ios", "Mozilla/5.0 (iPhone; CPU iPhone OS 15_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Ariver/1.1.0 AliApp(AP/10.2.90.6000) Nebula WK RVKType(0) AlipayDefined(nt:WIFI,ws:390|844|3.0) AlipayClient/10.2.90.6000 Language/zh-Hans Region/CN NebulaX/1.0.0", Alipay, Os::Ios, true, true),
    ("alipay android", "Mozilla/5.0 (Linux; U; Android 11; zh-CN; PCAM00 Build/RKQ1.201217.002) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/69.0.3497.100 UWS/3.22.2.43 Mobile Safari/537.36 UCBS/3.22.2.43_220223200704 ChannelId(0) NebulaSDK/1.8.100112 Nebula AlipayDefined(nt:WIFI,ws:360|0|3.0) AliApp(AP/10.2.58.8000) AlipayClient/10.2.58.8000 Language/zh-Hans useStatusBar/true isConcaveScreen/true Region/CNNebulaX/1.0.0 Ariver/1.0.0", Alipay, Os::Android, true, true),
    ("alipay without AlipayClient token", "Mozilla/5.0 (iPhone; CPU iPhone OS 14_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 AliApp(AP/10.2.0.6000) Nebula WK", Alipay, Os::Ios, true, true),
    ("alipayhk", "Mozilla/5.0 (iPhone; CPU iPhone OS 16_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 AlipayDefined(nt:WIFI,ws:390|844|3.0) AliApp(AK/3.70.0) AlipayClientHK/3.70.0 Language/zh-Hant Region/HK", Alipay, Os::Ios, true, true),
    ("alipay mini-program ios", "Mozilla/5.0 (iPhone; CPU iPhone OS 16_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Ariver/1.1.0 AliApp(AP/10.3.20.6000) Nebula WK RVKType(0) AlipayDefined(nt:WIFI,ws:390|844|3.0) AlipayClient/10.3.20.6000 Language/zh-Hans Region/CN NebulaX/1.0.0 MiniProgram", AlipayMiniProgram, Os::Ios, true, true),
    ("alipay mini-program android", "Mozilla/5.0 (Linux; U; Android 10; zh-CN; MI 9 Build/QKQ1.190825.002) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/69.0.3497.100 UWS/3.22.0.36 Mobile Safari/537.36 AlipayChannelId/5136 NebulaSDK/1.8.100112 Nebula AlipayDefined(nt:WIFI,ws:393|0|2.75) AliApp(AP/10.2.51.7100) AlipayClient/10.2.51.7100 Language/zh-Hans Region/CN Ariver/1.0.0 MiniProgram APXWebView", AlipayMiniProgram, Os::Android, true, true),
    ("dingtalk is not alipay", "Mozilla/5.0 (Linux; U; Android 11; zh-CN; V2046A Build/RP1A.200720.012) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/69.0.3497.100 UWS/3.22.1.233 Mobile Safari/537.36 AliApp(DingTalk/6.5.20) com.alibaba.android.rimet/26284409 Channel/700159 language/zh-CN", Mobile, Os::Android, true, true),
    ("unionpay ios", "Mozilla/5.0 (iPhone; CPU iPhone OS 14_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 (com.unionpay.chsp) (clientVersion 190) (version 941)(UnionPay/1.0 CloudPay)", Unionpay, Os::Ios, true, true),
    ("unionpay android", "Mozilla/5.0 (Linux; Android 10; ELE-AL00 Build/HUAWEIELE-AL00; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/74.0.3729.186 Mobile Safari/537.36 (com.unionpay.mobilepay) (cordova 7.0.0) (updebug 0) (version 1010) (UnionPay/1.0 CloudPay) (clientVersion 200) (language zh_CN)", Unionpay, Os::Android, true, true),
    ("iphone safari", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1", Mobile, Os::Ios, true, true),
    ("android chrome", "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36", Mobile, Os::Android, true, true),
    ("android tablet chrome", "Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36", Mobile, Os::Android, true, true),
    ("ipad safari (old UA)", "Mozilla/5.0 (iPad; CPU OS 12_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/12.1 Mobile/15E148 Safari/604.1", Mobile, Os::Ios, true, true),
    ("desktop chrome windows", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36", Desktop, Os::Other, false, true),
    ("desktop firefox linux", "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0", Desktop, Os::Other, false, true),
    ("desktop safari mac", MAC_SAFARI, Desktop, Os::Other, false, true),
    ("desktop edge", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.67", Desktop, Os::Other, false, true),
    ("empty", "", Desktop, Os::Other, false, false),
    ("garbage", "\u{0}\u{1F4B3}<script>alert(1)</script>\u{FFFD}", Desktop, Os::Other, false, false),
    ("curl", "curl/8.5.0", Desktop, Os::Other, false, false),
];

#[test]
fn user_agent_table() {
    assert!(TABLE.len() >= 20);
    for &(case, ua, container, os, mobile, certain) in TABLE {
        let env = detect(ua, &Hints::default());
        assert_eq!((env.container, env.os, env.mobile, env.certain), (container, os, mobile, certain), "{case}");
        assert_eq!(env.recommended_modes, recommended_modes(container, mobile), "{case}");
    }
}

#[test]
fn names_match_design() {
    let names: Vec<_> = [Wechat, WechatMiniProgram, Alipay, AlipayMiniProgram, Unionpay, Mobile, Desktop].map(Container::as_str).into();
    assert_eq!(names, ["wechat", "wechat-miniprogram", "alipay", "alipay-miniprogram", "unionpay", "mobile", "desktop"]);
    assert_eq!([Os::Ios, Os::Android, Os::Other].map(Os::as_str), ["ios", "android", "other"]);
}

#[test]
fn ios_mini_program_hints_win_over_the_ua() {
    let hint = |wxjs: Option<&str>, get_env: Option<bool>| Hints { wxjs_environment: wxjs.map(str::to_owned), wechat_mini_program: get_env, ..Hints::default() };
    let cases = [
        (hint(Some("miniprogram"), None), WechatMiniProgram),
        (hint(Some("browser"), None), Wechat),
        (hint(None, Some(true)), WechatMiniProgram),
        (hint(None, Some(false)), Wechat),
        // getEnv is the API's own answer: it beats the page variable.
        (hint(Some("miniprogram"), Some(false)), Wechat),
    ];
    for (hints, container) in cases {
        let env = detect(IPHONE_WECHAT, &hints);
        assert_eq!((env.container, env.certain), (container, true), "{hints:?}");
    }
    let env = detect(IPHONE_WECHAT, &hint(Some("miniprogram"), None));
    assert_eq!(env.recommended_modes, [Mode::Jsapi, Mode::Qr]);
}

#[test]
fn alipay_mini_program_hint() {
    let alipay = TABLE.iter().find(|row| row.0 == "alipay ios").map(|row| row.1).unwrap_or_default();
    let hints = Hints { alipay_mini_program: Some(true), ..Hints::default() };
    assert_eq!(detect(alipay, &hints).container, AlipayMiniProgram);
}

#[test]
fn ipados_desktop_mode_needs_touch_points() {
    let touch = Hints { max_touch_points: Some(5), ..Hints::default() };
    let env = detect(MAC_SAFARI, &touch);
    assert_eq!((env.container, env.os, env.mobile), (Mobile, Os::Ios, true));
    let mouse = Hints { max_touch_points: Some(0), ..Hints::default() };
    assert_eq!(detect(MAC_SAFARI, &mouse).container, Desktop);
}

#[test]
fn a_bridge_alone_is_an_uncertain_wallet() {
    let ua = "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36";
    let env = detect(ua, &Hints { alipay_bridge: true, ..Hints::default() });
    assert_eq!((env.container, env.certain), (Alipay, false));
    let env = detect(ua, &Hints { wechat_bridge: true, ..Hints::default() });
    assert_eq!((env.container, env.certain), (Wechat, false));
}

/// Roughly BlueOcean's offer: everything on WeChat, WAP on Alipay, mixed QR.
const WIDE: &[(Mode, Channel)] = &[
    (Mode::Jsapi, Channel::Wechat),
    (Mode::Jsapi, Channel::Alipay),
    (Mode::H5, Channel::Wechat),
    (Mode::Wap, Channel::Alipay),
    (Mode::Qr, Channel::Any),
    (Mode::Cashier, Channel::Any),
];
/// Roughly BeeCloud offline: QR and counter only.
const NARROW: &[(Mode, Channel)] = &[(Mode::Qr, Channel::Wechat), (Mode::Qr, Channel::Alipay), (Mode::Counter, Channel::Any)];

#[test]
fn choose_mode_follows_the_table_and_the_gateway() {
    let env = |ua: &str| detect(ua, &Hints::default());
    let row = |case: &str| TABLE.iter().find(|row| row.0 == case).map(|row| row.1).unwrap_or_default();
    let cases = [
        ("wechat android", WIDE, Channel::Wechat, Some(Mode::Jsapi)),
        ("wechat android", WIDE, Channel::Any, Some(Mode::Jsapi)),
        // Alipay is blocked inside WeChat and its bridge is not there.
        ("wechat android", WIDE, Channel::Alipay, Some(Mode::Qr)),
        ("wechat desktop windows", WIDE, Channel::Wechat, Some(Mode::Qr)),
        ("wechat mini-program android", WIDE, Channel::Wechat, Some(Mode::Jsapi)),
        ("wechat mini-program android", NARROW, Channel::Wechat, Some(Mode::Qr)),
        ("alipay android", WIDE, Channel::Alipay, Some(Mode::Jsapi)),
        ("alipay android", &[(Mode::Wap, Channel::Alipay), (Mode::Qr, Channel::Any)], Channel::Alipay, Some(Mode::Wap)),
        ("alipay android", WIDE, Channel::Wechat, Some(Mode::Qr)),
        ("android chrome", WIDE, Channel::Wechat, Some(Mode::H5)),
        ("android chrome", WIDE, Channel::Alipay, Some(Mode::Wap)),
        ("android chrome", WIDE, Channel::Any, Some(Mode::Qr)),
        ("android chrome", NARROW, Channel::Any, Some(Mode::Qr)),
        ("desktop chrome windows", WIDE, Channel::Alipay, Some(Mode::Qr)),
        ("unionpay android", WIDE, Channel::Unionpay, Some(Mode::Cashier)),
        ("unionpay android", NARROW, Channel::Unionpay, None),
        ("desktop edge", &[(Mode::Counter, Channel::Any)], Channel::Any, None),
    ];
    for (case, supported, channel, expected) in cases {
        assert_eq!(choose_mode(&env(row(case)), supported, channel), expected, "{case} {}", channel.as_str());
    }
}

#[test]
fn token_bits_name_their_tokens() {
    let bit = |t: &str| 1u32 << crate::text::split(TOKENS, b"|").position(|x| x == t).unwrap();
    assert_eq!(MACINTOSH, bit("macintosh"));
    assert_eq!(IOS_DEVICE, bit("iphone") | bit("ipad") | bit("ipod"));
    assert_eq!(ANDROID, bit("android"));
    assert_eq!(DESKTOP_WECHAT, bit("windowswechat") | bit("macwechat"));
    assert_eq!(MOBI, bit("mobi"));
    assert_eq!(MICROMESSENGER, bit("micromessenger"));
    assert_eq!(WXWORK, bit("wxwork"));
    assert_eq!(ALIPAY, bit("alipayclient") | bit("aliapp(ap/") | bit("alipaydefined"));
    assert_eq!(MOZILLA, bit("mozilla/"));
    assert_eq!(MINIPROGRAM, bit("miniprogram"));
    assert_eq!(UNIONPAY, bit("unionpay/") | bit("cloudpay"));
    assert_eq!(crate::text::split(TOKENS, b"|").count(), 17, "every token has its bit");
    assert_eq!(tokens("Mozilla/5.0 (iPhone) MicroMessenger/8.0".to_ascii_lowercase().as_str()), MOZILLA | bit("iphone") | MICROMESSENGER);
}
