//! The demo pages in one shell. `www/shell.html` holds what every page
//! shares (doctype, head, stylesheets, the page links and language switch);
//! each `www/<page>.html` holds only its own part, opened by a line
//!
//! ```html
//! <!--#page title="paybridge demo — QR" data-i18n="qr.title" style="style.css" script="qr.js" switch-id="qr-locale"-->
//! ```
//!
//! whose values fill the shell's `{{name}}` placeholders (`{{name?}}`: may
//! be left out, then empty); the rest of the file goes where the shell says
//! `{{content}}`. Every other file of `www/` is served as it is.

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::Router;
use std::path::PathBuf;
use std::sync::Arc;
use tower_http::services::ServeDir;

/// How a page file opens.
const DIRECTIVE: &str = "<!--#page ";
/// The shell every page is served in.
const SHELL: &str = "shell.html";
/// Where a page's own part goes in the shell.
const CONTENT: &str = "{{content}}";

/// The files below `www`, the pages inside their shell.
pub(super) fn router(www: PathBuf) -> Router {
    Router::new().fallback_service(ServeDir::new(&www)).layer(middleware::from_fn_with_state(Arc::new(www), serve_page))
}

/// Answers `GET /` and `GET /<page>.html` with the page in its shell when the
/// file opens with the directive; anything else goes on to the files.
async fn serve_page(State(www): State<Arc<PathBuf>>, request: Request, next: Next) -> Response {
    let Some(name) = page_file(request.method(), request.uri().path()) else {
        return next.run(request).await;
    };
    if name == SHELL {
        return StatusCode::NOT_FOUND.into_response();
    }
    let page = match tokio::fs::read_to_string(www.join(name)).await {
        Ok(page) if page.starts_with(DIRECTIVE) => page,
        _ => return next.run(request).await,
    };
    let rendered = match tokio::fs::read_to_string(www.join(SHELL)).await {
        Ok(shell) => render(&shell, &page).map_err(|e| format!("{name}: {e}")),
        Err(e) => Err(format!("{SHELL}: {e}")),
    };
    match rendered {
        Ok(html) => Html(html).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e).into_response(),
    }
}

/// The page file a request names: `index.html` for `/`, else a top-level
/// `<name>.html` of letters, digits, `-` and `_`.
fn page_file<'a>(method: &Method, path: &'a str) -> Option<&'a str> {
    if method != Method::GET && method != Method::HEAD {
        return None;
    }
    let name = match path.strip_prefix('/')? {
        "" => "index.html",
        name => name,
    };
    let stem = name.strip_suffix(".html")?;
    (!stem.is_empty() && stem.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')).then_some(name)
}

/// `page` (directive line, then its part) inside `shell`.
fn render(shell: &str, page: &str) -> Result<String, String> {
    let (directive, content) = page.split_once('\n').unwrap_or((page, ""));
    let values = directive_values(directive)?;
    let (top, bottom) = shell.split_once(CONTENT).ok_or_else(|| format!("{SHELL} has no {CONTENT}"))?;
    let mut used = Vec::new();
    let mut html = fill(top, &values, &mut used)?;
    html.push_str(content);
    html.push_str(&fill(bottom, &values, &mut used)?);
    match values.iter().find(|(name, _)| !used.contains(name)) {
        Some((name, _)) => Err(format!("the shell has no place for {name}")),
        None => Ok(html),
    }
}

/// The `name="value"` pairs of a `<!--#page …-->` line.
fn directive_values(line: &str) -> Result<Vec<(&str, &str)>, String> {
    let mut rest = line.strip_prefix(DIRECTIVE).and_then(|l| l.trim_end().strip_suffix("-->")).ok_or("the first line is not <!--#page …-->")?;
    let mut values = Vec::new();
    while !rest.trim().is_empty() {
        let (name, after) = rest.trim_start().split_once("=\"").ok_or_else(|| format!("expected name=\"value\" at {rest:?}"))?;
        let (value, after) = after.split_once('"').ok_or_else(|| format!("unterminated value of {name}"))?;
        values.push((name, value));
        rest = after;
    }
    Ok(values)
}

/// `template` with each `{{name}}` or `{{name?}}` replaced by its value,
/// noting the names used.
fn fill<'v>(template: &str, values: &[(&'v str, &str)], used: &mut Vec<&'v str>) -> Result<String, String> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        let (before, after) = rest.split_at(start);
        let (placeholder, after) = after[2..].split_once("}}").ok_or_else(|| format!("unterminated placeholder in {SHELL}"))?;
        let (name, optional) = placeholder.strip_suffix('?').map_or((placeholder, false), |n| (n, true));
        out.push_str(before);
        match values.iter().find(|(n, _)| *n == name) {
            Some((n, value)) => {
                out.push_str(value);
                used.push(n);
            }
            None if optional => {}
            None => return Err(format!("no {name}=\"…\" on the first line")),
        }
        rest = after;
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHELL_TEXT: &str = "<title data-i18n=\"{{data-i18n}}\">{{title}}</title>\n<body class=\"{{class?}}\">\n{{content}}</body>\n";

    #[test]
    fn a_page_fills_the_shell() {
        let page = "<!--#page title=\"demo — QR\" data-i18n=\"qr.title\"-->\n  <main>{{not a placeholder}}</main>\n";
        assert_eq!(render(SHELL_TEXT, page).unwrap(), "<title data-i18n=\"qr.title\">demo — QR</title>\n<body class=\"\">\n  <main>{{not a placeholder}}</main>\n</body>\n");
        let page = "<!--#page class=\"demo-cashier\" title=\"t\" data-i18n=\"k\" -->\n<p></p>\n";
        assert_eq!(render(SHELL_TEXT, page).unwrap(), "<title data-i18n=\"k\">t</title>\n<body class=\"demo-cashier\">\n<p></p>\n</body>\n");
    }

    #[test]
    fn a_missing_unknown_or_malformed_value_is_an_error() {
        assert_eq!(render(SHELL_TEXT, "<!--#page title=\"t\"-->\n").unwrap_err(), "no data-i18n=\"…\" on the first line");
        assert_eq!(render(SHELL_TEXT, "<!--#page title=\"t\" data-i18n=\"k\" scirpt=\"a.js\"-->\n").unwrap_err(), "the shell has no place for scirpt");
        assert_eq!(render(SHELL_TEXT, "<!--#page title=\"t-->\n").unwrap_err(), "unterminated value of title");
        assert!(render(SHELL_TEXT, "<!doctype html>\n").is_err());
        assert!(render("no slot", "<!--#page -->\n").is_err());
    }

    #[test]
    fn only_top_level_html_files_are_pages() {
        assert_eq!(page_file(&Method::GET, "/"), Some("index.html"));
        assert_eq!(page_file(&Method::HEAD, "/o2o.html"), Some("o2o.html"));
        for path in ["/site.css", "/miniprogram/README.md", "/a/b.html", "/../x.html", "/.html", "/%2e%2e.html"] {
            assert_eq!(page_file(&Method::GET, path), None, "{path}");
        }
        assert_eq!(page_file(&Method::POST, "/index.html"), None);
    }
}
