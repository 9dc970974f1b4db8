//! The Connect widget, served by the emulator: `GET /connect` (the app, plain HTML, CSS and
//! JS embedded in the binary), its script and style sheet, the script-tag drop-in
//! `GET /connect/pluggy-connect.js` (`window.PluggyConnect`), and, when
//! [`crate::Config::connect_zoid`] names a file, zoid's child script at
//! `GET /connect/zoid.frame.js` so that the official `pluggy-connect-sdk` can render the app
//! as its zoid child.
//!
//! Every answer carries a Content-Security-Policy that allows resources from the emulator's
//! own origin only; the page may be framed by any page (that is what a widget is for).

use crate::reply::{self, Reply};
use crate::world::state::Shared;

/// The app's page; `{{ZOID}}` becomes the zoid script tag when one is configured.
const PAGE: &str = include_str!("connect.html");
/// The app.
const APP_JS: &str = include_str!("connect.js");
/// The app's look (the payment page's).
const APP_CSS: &str = include_str!("connect.css");
/// The script-tag drop-in.
const DROP_IN_JS: &str = include_str!("pluggy-connect.js");

/// Where zoid's child script is served when configured.
pub(crate) const ZOID_PATH: &str = "/connect/zoid.frame.js";

/// The policy of every widget answer: only the emulator's own origin, framed by anyone.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; \
                   img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors *";

/// Whether `path` is one of the widget's (`/connect` or under `/connect/`).
pub(crate) fn owns(path: &str) -> bool {
    path == "/connect" || path.starts_with("/connect/")
}

/// Answers a widget route.
pub(crate) fn handle(shared: &Shared, method: &str, path: &str) -> Reply {
    if method != "GET" && method != "HEAD" {
        return reply::error(405, None, "Method Not Allowed").with_header("allow", "GET, HEAD");
    }
    let zoid = shared.config.connect_zoid.as_ref();
    match path.trim_end_matches('/') {
        "/connect" => {
            let tag = if zoid.is_some() {
                format!("<script src=\"{ZOID_PATH}\"></script>\n")
            } else {
                String::new()
            };
            asset(
                PAGE.replace("{{ZOID}}", &tag).into_bytes(),
                "text/html; charset=utf-8",
            )
        }
        "/connect/connect.js" => asset(APP_JS.as_bytes().to_vec(), JS),
        "/connect/connect.css" => asset(APP_CSS.as_bytes().to_vec(), "text/css; charset=utf-8"),
        "/connect/pluggy-connect.js" => asset(DROP_IN_JS.as_bytes().to_vec(), JS)
            // Loaded by the embedding page from another origin.
            .with_header("cross-origin-resource-policy", "cross-origin"),
        ZOID_PATH => match zoid.map(std::fs::read) {
            Some(Ok(bytes)) => asset(bytes, JS),
            Some(Err(e)) => reply::error(
                500,
                None,
                format!("The configured zoid script could not be read: {e}"),
            ),
            None => reply::error(
                404,
                None,
                "No zoid script is configured (pluggy-emulator --connect-zoid PATH)",
            ),
        },
        _ => reply::error(404, None, "Not Found"),
    }
}

const JS: &str = "text/javascript; charset=utf-8";

fn asset(body: Vec<u8>, content_type: &str) -> Reply {
    Reply {
        status: 200,
        body: body.into(),
        headers: Vec::new(),
    }
    .with_header("content-type", content_type.to_owned())
    .with_header("content-security-policy", CSP)
    .with_header("x-content-type-options", "nosniff")
    .with_header("cache-control", "no-cache")
    .with_header("referrer-policy", "no-referrer")
}
