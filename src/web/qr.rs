//! `qrSvg` and `renderQr`.

use super::js;
use crate::error::PayError;
use crate::i18n::Locale;
use crate::qr::{parse_level, QrImage, QrOptions, Rgba};
use js_sys::Object;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

fn read_options(obj: Option<&Object>, default_ratio: f64) -> Result<QrOptions, PayError> {
    let mut o = QrOptions { pixel_ratio: default_ratio, ..QrOptions::default() };
    let whole = |key: &str, v: f64, max: u32| -> Result<u32, PayError> {
        if v.is_finite() && v >= 0.0 && v <= f64::from(max) && v.fract() == 0.0 {
            Ok(v as u32)
        } else {
            Err(PayError::new(crate::error::ErrorCode::QrInvalidOption).with_detail(detail!("`{key}` must be a whole number in 0..={max}")))
        }
    };
    if let Some(v) = js::num_prop(obj, "size")? {
        o.size = whole("size", v, crate::qr::MAX_SIZE)?;
    }
    if let Some(v) = js::num_prop(obj, "margin")? {
        o.margin = whole("margin", v, crate::qr::MAX_MARGIN)?;
    }
    if let Some(v) = js::str_prop(obj, "level")? {
        o.level = parse_level(&v)?;
    }
    if let Some(v) = js::str_prop(obj, "dark")? {
        o.dark = Rgba::parse(&v)?;
    }
    if let Some(v) = js::str_prop(obj, "light")? {
        o.light = Rgba::parse(&v)?;
    }
    if let Some(v) = js::num_prop(obj, "pixelRatio")? {
        o.pixel_ratio = v;
    }
    Ok(o)
}

/// The QR code for `text` as an SVG document string.
#[cfg(feature = "low-level-api")]
#[wasm_bindgen(js_name = qrSvg)]
pub fn qr_svg(text: &str, #[wasm_bindgen(unchecked_param_type = "QrOptions")] options: Option<Object>) -> Result<String, JsValue> {
    let locale = js::locale(options.as_ref());
    let (img, o) = symbol(text, options.as_ref(), 1.0).map_err(|e| js::error(&e, locale))?;
    Ok(img.to_svg(o.size))
}

/// The options (`default_ratio` unless set) and the symbol for `text`. One
/// copy for both exports.
fn symbol(text: &str, options: Option<&Object>, default_ratio: f64) -> Result<(QrImage, QrOptions), PayError> {
    let o = read_options(options, default_ratio)?;
    Ok((QrImage::new(text, &o)?, o))
}

/// Draws the QR code for `text` on a canvas element (resized to whole device
/// pixels per module and styled to its CSS size) or on any 2D context
/// (drawn from its origin, `size * pixelRatio` units wide). Input is checked
/// before anything is drawn.
#[wasm_bindgen(js_name = renderQr)]
pub fn render_qr(
    #[wasm_bindgen(unchecked_param_type = "HTMLCanvasElement | CanvasRenderingContext2D")] target: JsValue,
    text: &str,
    #[wasm_bindgen(unchecked_param_type = "QrOptions")] options: Option<Object>,
) -> Result<(), JsValue> {
    let locale = js::locale(options.as_ref());
    let canvas = target.dyn_ref::<HtmlCanvasElement>();
    let ratio = match canvas {
        Some(_) => super::env::global_prop(&["devicePixelRatio"]).as_f64().unwrap_or(1.0),
        None => 1.0,
    };
    let (img, o) = symbol(text, options.as_ref(), ratio).map_err(|e| js::error(&e, locale))?;
    let ctx = context_of(&target, canvas, locale)?;
    if let Some(c) = canvas {
        c.set_width(img.canvas_px);
        c.set_height(img.canvas_px);
        let css = css_px(img.canvas_px, o.pixel_ratio);
        // CSSOM, not a style attribute, so a strict CSP (no 'unsafe-inline') allows it.
        let style = c.style();
        style.set_property("width", &css)?;
        style.set_property("height", &css)?;
    }
    draw(&ctx, &img);
    Ok(())
}

fn context_of(target: &JsValue, canvas: Option<&HtmlCanvasElement>, locale: Locale) -> Result<CanvasRenderingContext2d, JsValue> {
    if let Some(c) = canvas {
        let ctx = c.get_context("2d")?.ok_or_else(|| js::error(&PayError::invalid_argument("the canvas has no 2d context"), locale))?;
        return Ok(ctx.unchecked_into());
    }
    // Mini-program canvases are not HtmlCanvasElements and their contexts are
    // not CanvasRenderingContext2D instances: accept anything with fillRect.
    let fill_rect = js_sys::Reflect::get(target, &JsValue::from_str("fillRect")).unwrap_or(JsValue::UNDEFINED);
    if fill_rect.is_function() {
        Ok(target.clone().unchecked_into())
    } else {
        Err(js::error(&PayError::invalid_argument("target must be a canvas element or a 2D context"), locale))
    }
}

fn draw(ctx: &CanvasRenderingContext2d, img: &QrImage) {
    let m = f64::from(img.module_px);
    let edge = f64::from(img.canvas_px);
    ctx.clear_rect(0.0, 0.0, edge, edge);
    ctx.set_fill_style_str(&img.light_color.to_hex());
    ctx.fill_rect(0.0, 0.0, edge, edge);
    ctx.set_fill_style_str(&img.dark_color.to_hex());
    for (x, y, len) in img.dark_runs() {
        ctx.fill_rect(f64::from(x + img.margin) * m, f64::from(y + img.margin) * m, f64::from(len) * m, m);
    }
}

/// `canvas_px / ratio` as CSS pixels with three decimals, without float
/// formatting (which would cost ~17 KB of wasm).
fn css_px(canvas_px: u32, ratio: f64) -> String {
    let milli = (f64::from(canvas_px) * 1000.0 / ratio + 0.5) as u64;
    let mut px = String::new();
    crate::text::push_decimal(&mut px, milli / 1000, 1);
    px.push('.');
    crate::text::push_decimal(&mut px, milli % 1000, 3);
    px.push_str("px");
    px
}
