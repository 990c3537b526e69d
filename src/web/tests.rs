//! Facade tests in headless Chromium: draw on real canvases and read every
//! pixel back.

use super::qr::{qr_svg, render_qr};
use crate::qr::{EcLevel, QrImage, QrOptions, Rgba};
use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

wasm_bindgen_test_configure!(run_in_browser);

const ALIPAY: &str = "https://qr.alipay.com/bax03112k12liy7lrysg2004";

fn canvas() -> HtmlCanvasElement {
    let doc = web_sys::window().unwrap().document().unwrap();
    doc.create_element("canvas").unwrap().dyn_into().unwrap()
}

fn ctx_of(c: &HtmlCanvasElement) -> CanvasRenderingContext2d {
    c.get_context("2d").unwrap().unwrap().dyn_into().unwrap()
}

fn opts(pairs: &[(&str, JsValue)]) -> Object {
    let o = Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &JsValue::from_str(k), v).unwrap();
    }
    o
}

/// Asserts every device pixel of `ctx` (from the origin) matches `img`.
fn assert_pixels(ctx: &CanvasRenderingContext2d, img: &QrImage) {
    let n = img.canvas_px;
    let data = ctx.get_image_data(0.0, 0.0, f64::from(n), f64::from(n)).unwrap().data();
    let mut wrong = 0;
    for py in 0..n {
        for px in 0..n {
            let (mx, my) = (px / img.module_px, py / img.module_px);
            let dark = mx >= img.margin && my >= img.margin && img.is_dark(mx - img.margin, my - img.margin);
            let want = if dark { img.dark_color.0 } else { img.light_color.0 };
            let at = ((py * n + px) * 4) as usize;
            if data[at..at + 4] != want {
                wrong += 1;
            }
        }
    }
    assert_eq!(wrong, 0, "{wrong} of {} pixels differ", n * n);
}

#[wasm_bindgen_test]
fn canvas_pixels_match_the_matrix_at_each_pixel_ratio() {
    for (size, ratio, margin) in [(200u32, 1.0, 4u32), (150, 2.0, 4), (180, 3.0, 2), (256, 2.625, 0)] {
        let c = canvas();
        let o = opts(&[("size", size.into()), ("pixelRatio", ratio.into()), ("margin", margin.into())]);
        render_qr(c.clone().into(), ALIPAY, Some(o)).unwrap();
        let img = QrImage::new(ALIPAY, &QrOptions { size, pixel_ratio: ratio, margin, ..QrOptions::default() }).unwrap();
        assert_eq!((c.width(), c.height()), (img.canvas_px, img.canvas_px));
        assert!(img.module_px >= 1 && img.canvas_px <= (f64::from(size) * ratio) as u32);
        let css = c.style().get_property_value("width").unwrap();
        assert!(css.ends_with("px") && !css.is_empty(), "CSS size set: {css}");
        assert_pixels(&ctx_of(&c), &img);
    }
}

#[wasm_bindgen_test]
fn colours_and_level_are_honoured() {
    let c = canvas();
    let o = opts(&[("size", 120.into()), ("pixelRatio", 1.0.into()), ("dark", "#1a2b3c".into()), ("light", "#f0e0d0".into()), ("level", "H".into())]);
    render_qr(c.clone().into(), "weixin://wxpay/bizpayurl?pr=HBXdDeM", Some(o)).unwrap();
    let img = QrImage::new(
        "weixin://wxpay/bizpayurl?pr=HBXdDeM",
        &QrOptions { size: 120, level: EcLevel::H, dark: Rgba([0x1a, 0x2b, 0x3c, 255]), light: Rgba([0xf0, 0xe0, 0xd0, 255]), ..QrOptions::default() },
    )
    .unwrap();
    assert_pixels(&ctx_of(&c), &img);
}

#[wasm_bindgen_test]
fn draws_on_a_bare_2d_context_from_its_origin() {
    let c = canvas();
    c.set_width(400);
    c.set_height(400);
    let ctx = ctx_of(&c);
    render_qr(ctx.clone().into(), ALIPAY, Some(opts(&[("size", 300.into())]))).unwrap();
    assert_eq!(c.width(), 400, "a bare context's canvas is not resized");
    let img = QrImage::new(ALIPAY, &QrOptions { size: 300, ..QrOptions::default() }).unwrap();
    assert_pixels(&ctx, &img);
}

#[wasm_bindgen_test]
fn bad_input_throws_a_coded_error_and_draws_nothing() {
    let c = canvas();
    c.set_width(10);
    c.set_height(10);
    let ctx = ctx_of(&c);
    ctx.set_fill_style_str("#ff0000");
    ctx.fill_rect(0.0, 0.0, 10.0, 10.0);
    let long = "x".repeat(3000);
    let cases: [(&str, Object, &str); 5] = [
        ("", opts(&[]), "qr_empty_text"),
        (&long, opts(&[("level", "H".into())]), "qr_too_long"),
        (ALIPAY, opts(&[("level", "Z".into())]), "qr_invalid_level"),
        (ALIPAY, opts(&[("dark", "blue".into())]), "qr_invalid_color"),
        (ALIPAY, opts(&[("size", (-5).into())]), "qr_invalid_option"),
    ];
    for (text, o, code) in cases {
        let err = render_qr(c.clone().into(), text, Some(o)).unwrap_err();
        assert_eq!(Reflect::get(&err, &"code".into()).unwrap().as_string().as_deref(), Some(code));
        assert!(err.is_instance_of::<js_sys::Error>());
    }
    assert_eq!((c.width(), c.height()), (10, 10), "not resized");
    let px = ctx.get_image_data(5.0, 5.0, 1.0, 1.0).unwrap().data();
    assert_eq!(px[..4], [255, 0, 0, 255], "not drawn");
    let not_a_canvas = render_qr(Object::new().into(), ALIPAY, None).unwrap_err();
    assert_eq!(Reflect::get(&not_a_canvas, &"code".into()).unwrap().as_string().as_deref(), Some("invalid_argument"));
}

#[wasm_bindgen_test]
fn error_messages_follow_the_locale() {
    let msg = |locale: &str| {
        let err = qr_svg("", Some(opts(&[("locale", locale.into())]))).unwrap_err();
        Reflect::get(&err, &"message".into()).unwrap().as_string().unwrap()
    };
    assert_eq!(msg("en"), "The QR code text is empty");
    assert_eq!(msg("zh-CN"), "二维码内容为空");
    assert_eq!(msg("zh-HK"), "二維碼內容為空");
}

#[wasm_bindgen_test]
fn svg_is_a_parseable_document() {
    let svg = qr_svg(ALIPAY, Some(opts(&[("size", 128.into())]))).unwrap();
    let parser = web_sys::DomParser::new().unwrap();
    let doc = parser.parse_from_string(&svg, web_sys::SupportedType::ImageSvgXml).unwrap();
    let root = doc.document_element().unwrap();
    assert_eq!(root.tag_name(), "svg");
    assert_eq!(root.get_attribute("width").as_deref(), Some("128"));
    assert!(doc.get_elements_by_tag_name("parsererror").length() == 0);
}
