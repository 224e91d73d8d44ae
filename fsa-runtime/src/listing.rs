//! The security listing of a built application: who may call what, one
//! line per route and method ([`Fsa::security_listing`]).

use crate::{params::ParamKind, route::RouteInfo, Fsa};
use std::fmt;

/// A table of every route of an application: method, path, `authz`, the
/// schemes that authenticate it, the realm of its tokens, its request
/// parameters and its handler. Print it with `{}`.
#[derive(Debug)]
pub struct SecurityListing<'a> {
    routes: Vec<RouteInfo<'a>>,
}

impl Fsa {
    /// Who may call what, as a table to print (`acme --routes`):
    ///
    /// ```text
    /// METHOD  PATH                    AUTHZ                          AUTHENTICATION  REALM  PARAMETERS                  HANDLER
    /// GET     /store                  employee                       token, basic    acme   pattern?                    acme::get_store
    /// POST    /store/<sid>/product    ("store", "sid", "manager")    token, basic    acme   sid, product, quantity      acme::post_store_sid_product
    /// ```
    ///
    /// A parameter with `?` may be left out.
    pub fn security_listing(&self) -> SecurityListing<'_> {
        SecurityListing {
            routes: self.routes().collect(),
        }
    }
}

impl fmt::Display for SecurityListing<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rows: Vec<[String; 7]> = vec![[
            "METHOD".into(),
            "PATH".into(),
            "AUTHZ".into(),
            "AUTHENTICATION".into(),
            "REALM".into(),
            "PARAMETERS".into(),
            "HANDLER".into(),
        ]];
        for route in &self.routes {
            let methods = route.methods();
            let schemes = route.schemes().unwrap_or_default();
            let authentication = if schemes.is_empty() {
                "-".to_string()
            } else {
                schemes.join(", ")
            };
            let params: Vec<String> = route
                .params()
                .filter_map(|p| {
                    let mark = if p.is_optional() { "?" } else { "" };
                    match p.kind() {
                        ParamKind::Request => Some(format!("{}{mark}", p.name())),
                        ParamKind::Header => {
                            Some(format!("header {}{mark}", p.name().replace('_', "-")))
                        }
                        ParamKind::Cookie => Some(format!("cookie {}{mark}", p.name())),
                        ParamKind::Rest => Some("**rest".to_string()),
                        _ => None,
                    }
                })
                .collect();
            for method in methods {
                if *method == "HEAD" && methods.contains(&"GET") {
                    continue;
                }
                rows.push([
                    method.to_string(),
                    route.path().to_string(),
                    route.authz().to_string(),
                    authentication.clone(),
                    route.token_realm().unwrap_or("-").to_string(),
                    if params.is_empty() {
                        "-".into()
                    } else {
                        params.join(", ")
                    },
                    format!("{}::{}", route.module(), route.name()),
                ]);
            }
        }
        let mut widths = [0usize; 7];
        for row in &rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        for row in &rows {
            let mut line = String::new();
            for (i, (cell, width)) in row.iter().zip(widths).enumerate() {
                if i + 1 == row.len() {
                    line.push_str(cell);
                } else {
                    line.push_str(&format!("{cell:<width$}  "));
                }
            }
            writeln!(f, "{}", line.trim_end())?;
        }
        Ok(())
    }
}
