//! One route method as an OpenAPI operation: its parameters (path, query,
//! header, cookie) or request body (form, JSON, multipart), its security,
//! its answers: the success where the return type tells it, and each
//! error status the pipeline can answer on this route.

use super::schema::{self, Shape};
use crate::{
    compile::{Access, CompiledRoute},
    errors::ErrorFormat,
    params::ParamKind,
    route::{Authz, RouteInfo},
    state::State,
};
use utoipa::openapi::{
    extensions::ExtensionsBuilder,
    path::{Operation, OperationBuilder, ParameterBuilder, ParameterIn, ParameterStyle},
    request_body::RequestBodyBuilder,
    schema::{AdditionalProperties, ObjectBuilder, SchemaType, Type},
    security::{SecurityRequirement, SecurityScheme},
    ContentBuilder, Required, ResponseBuilder, ResponsesBuilder,
};

/// What the whole document shares.
pub(crate) struct Context<'a> {
    pub(crate) state: &'a State,
    pub(crate) security: &'a [(String, SecurityScheme)],
}

/// The operation of `method` on `route`, named `id`.
pub(crate) fn operation(
    cx: &Context<'_>,
    route: &RouteInfo<'_>,
    compiled: &CompiledRoute,
    method: &str,
    id: String,
) -> Operation {
    let mut operation = OperationBuilder::new().operation_id(Some(id));
    let body_method = matches!(method, "POST" | "PUT" | "PATCH");
    let mut body = ObjectBuilder::new().schema_type(Type::Object);
    let (mut in_body, mut uploads, mut rest) = (0, false, false);
    let mut body_required = false;
    let path_regexes: Vec<(&str, Option<&str>)> =
        super::path_variables(route.actix_path()).collect();
    for param in route.params() {
        let type_name = param.type_name();
        let required = !param.is_optional();
        let place = match param.kind() {
            ParamKind::Request if param.in_path() => Some(ParameterIn::Path),
            ParamKind::Request if body_method => None,
            ParamKind::Request => Some(ParameterIn::Query),
            ParamKind::Header => Some(ParameterIn::Header),
            ParamKind::Cookie => Some(ParameterIn::Cookie),
            ParamKind::Rest => {
                rest = true;
                let values = match schema::shape(type_name) {
                    Shape::Map(value) => schema::schema(value),
                    _ => schema::any(),
                };
                let values = AdditionalProperties::RefOr(values.into());
                if body_method {
                    body = body.additional_properties(Some(values));
                } else {
                    // Any other name of the query string.
                    let free = ObjectBuilder::new()
                        .schema_type(Type::Object)
                        .additional_properties(Some(values))
                        .build();
                    operation = operation.parameter(
                        ParameterBuilder::new()
                            .name(param.name())
                            .parameter_in(ParameterIn::Query)
                            .required(Required::False)
                            .style(Some(ParameterStyle::Form))
                            .explode(Some(true))
                            .schema(Some(free)),
                    );
                }
                continue;
            }
            _ => continue, // the user, the request, the application
        };
        let name = match param.kind() {
            ParamKind::Header => param.name().replace('_', "-"),
            _ => param.name().to_string(),
        };
        match place {
            Some(place) => {
                let mut schema = schema::schema(type_name);
                if place == ParameterIn::Path {
                    // What the path's pattern lets through.
                    let regex = path_regexes
                        .iter()
                        .find(|(variable, _)| *variable == name)
                        .and_then(|(_, regex)| *regex);
                    schema = path_schema(schema, regex);
                } else {
                    schema = schema::refusing(schema, schema::NO_NUL);
                }
                let required = place == ParameterIn::Path || required;
                let required = if required {
                    Required::True
                } else {
                    Required::False
                };
                operation = operation.parameter(
                    ParameterBuilder::new()
                        .name(name)
                        .parameter_in(place)
                        .required(required)
                        .schema(Some(schema)),
                );
            }
            None => {
                in_body += 1;
                uploads |= is_upload(type_name);
                let schema = schema::refusing(schema::schema(type_name), schema::NO_NUL);
                body = body.property(&name, schema);
                if required {
                    body = body.required(&name);
                    body_required = true;
                }
            }
        }
    }
    if !rest {
        // An unexpected parameter is a 400 (FSA_REJECT_UNEXPECTED_PARAM).
        if cx.state.config.reject_unexpected_param {
            body = body.additional_properties(Some(
                AdditionalProperties::<utoipa::openapi::Schema>::FreeForm(false),
            ));
        }
    }
    if body_method && (in_body > 0 || rest) {
        let schema = body.build();
        let required = if body_required {
            Required::True
        } else {
            Required::False
        };
        let mut request = RequestBodyBuilder::new().required(Some(required));
        if uploads {
            request = request.content(
                "multipart/form-data",
                ContentBuilder::new().schema(Some(schema)).build(),
            );
        } else {
            for content_type in ["application/json", "application/x-www-form-urlencoded"] {
                request = request.content(
                    content_type,
                    ContentBuilder::new().schema(Some(schema.clone())).build(),
                );
            }
        }
        operation = operation.request_body(Some(request.build()));
    }

    let schemes = route.schemes().unwrap_or_default();
    let scopes: Vec<&str> = if compiled.oauth {
        route
            .authz()
            .iter()
            .filter_map(|a| match a {
                Authz::Group(scope) => Some(scope),
                _ => None,
            })
            .collect()
    } else {
        Vec::new()
    };
    let security = match compiled.access {
        Access::Auth => super::security::requirements(&schemes, cx.security, &scopes),
        // `[{}]`: no credentials needed.
        Access::Open | Access::Close => vec![SecurityRequirement::default()],
    };
    operation = operation.securities(Some(security));
    let authz = route.authz().to_string();
    let undocumented: Vec<&str> = schemes
        .iter()
        .copied()
        .filter(|s| {
            *s != "none"
                && !cx
                    .security
                    .iter()
                    .any(|(n, _)| n == s || (*s == "param" && n == "param_user"))
        })
        .collect();
    let mut description = format!("authz: {authz}");
    if compiled.access == Access::Auth {
        description.push_str(&format!("; authentication: {}", schemes.join(", ")));
        if !undocumented.is_empty() {
            description.push_str(&format!(
                " ({} not in securitySchemes: no OpenAPI form)",
                undocumented.join(", ")
            ));
        }
    }
    operation = operation
        .description(Some(description))
        .extensions(Some(
            ExtensionsBuilder::new()
                .add("x-fsa-authz", authz)
                .add(
                    "x-fsa-handler",
                    format!("{}::{}", route.module(), route.name()),
                )
                .build(),
        ))
        .responses(responses(cx, route, compiled));
    operation.build()
}

/// A path variable's schema: what its pattern lets through (`[0-9]+`: no
/// sign; one segment: no `/`), no control character.
fn path_schema(schema: utoipa::openapi::Schema, regex: Option<&str>) -> utoipa::openapi::Schema {
    use utoipa::openapi::Schema;
    let mut schema = match regex {
        None => schema::refusing(schema, schema::SEGMENT),
        Some(_) => schema::refusing(schema, schema::NO_CONTROL),
    };
    if let Schema::Object(object) = &mut schema {
        let string = object.schema_type == SchemaType::new(Type::String);
        if !string && matches!(regex, Some("[0-9]+") | Some(r"[0-9]+\.[0-9]+")) {
            object.minimum = Some(utoipa::Number::UInt(0));
        }
        if string && object.min_length.is_none() {
            object.min_length = Some(1);
        }
    }
    schema
}

/// Whether a type name is (or holds) an uploaded file.
fn is_upload(type_name: &str) -> bool {
    type_name.contains("::Upload")
}

/// The answers of a route: its success, and each error the pipeline may
/// answer on it.
fn responses(
    cx: &Context<'_>,
    route: &RouteInfo<'_>,
    compiled: &CompiledRoute,
) -> utoipa::openapi::Responses {
    let mut responses = ResponsesBuilder::new();
    let (success, content, not_found) = success(route.returns());
    let mut answer = ResponseBuilder::new().description("success");
    if let Some((content_type, schema)) = content {
        answer = answer.content(
            content_type,
            ContentBuilder::new().schema(Some(schema)).build(),
        );
    }
    if compiled.access != Access::Close {
        responses = responses.response(success, answer.build());
    }
    let mut errors = vec![("400", "a parameter is missing, ill-typed or unexpected")];
    let auth = compiled.access == Access::Auth;
    let mut groups = false;
    let mut perms = false;
    route
        .authz()
        .iter()
        .for_each(|item| walk(item, &mut groups, &mut perms));
    if auth {
        errors.push(("401", "authentication is missing or failed"));
    }
    if compiled.access == Access::Close || (auth && (groups || perms)) {
        errors.push(("403", "not authorized"));
    }
    // An unknown object answers FSA_NOT_FOUND_ERROR (404).
    let not_found_status = cx.state.config.not_found_error.to_string();
    let unknown_object = perms || not_found;
    if unknown_object {
        errors.push((not_found_status.as_str(), "no such object"));
    }
    if route.params().any(|p| p.in_path()) && !(unknown_object && not_found_status == "404") {
        errors.push(("404", "no such path"));
    }
    if compiled.access != Access::Close {
        errors.push(("413", "too many parameters or too large a body"));
    }
    if auth && cx.state.throttle.is_some() {
        errors.push((
            "429",
            "too many failed authentications: retry after Retry-After seconds",
        ));
    }
    if auth {
        errors.push((
            "503",
            "password checks or the shared cache are busy or unreachable: retry",
        ));
    }
    for (status, why) in errors {
        responses = responses.response(status, responses_error(cx, status, why));
    }
    // Any other error (a handler's own, 408 for a stalled body, 431 for
    // too large headers, 500), in the same format.
    let other = "another error: the handler's, a stalled body (408), too large headers (431), a failure (500)";
    responses = responses.response("default", responses_error(cx, "default", other));
    responses.build()
}

/// Visits an authorization item for groups and permissions.
fn walk(item: Authz, groups: &mut bool, perms: &mut bool) {
    match item {
        Authz::Group(_) => *groups = true,
        Authz::Permission(_) => *perms = true,
        Authz::Any(items) | Authz::All(items) => {
            for item in items.iter() {
                walk(item, groups, perms);
            }
        }
        _ => {}
    }
}

/// An error answer in the configured format (`FSA_ERROR_RESPONSE`).
fn responses_error(cx: &Context<'_>, _status: &str, why: &str) -> utoipa::openapi::Response {
    let text = || ObjectBuilder::new().schema_type(Type::String).build();
    let content = match &cx.state.config.error_response {
        ErrorFormat::Plain => Some(("text/plain", text().into())),
        ErrorFormat::Json => Some(("application/json", text().into())),
        ErrorFormat::JsonKey(key) => Some((
            "application/json",
            ObjectBuilder::new()
                .schema_type(Type::Object)
                .property(key, text())
                .required(key)
                .into(),
        )),
        ErrorFormat::Custom(_) => None,
    };
    let mut response = ResponseBuilder::new().description(why);
    if let Some((content_type, schema)) = content {
        let schema: utoipa::openapi::Schema = schema;
        response = response.content(
            content_type,
            ContentBuilder::new().schema(Some(schema)).build(),
        );
    }
    response.build()
}

/// The success status, its content, and whether a `None` answers 404,
/// from the handler's return type.
fn success(
    returns: Option<&str>,
) -> (
    &'static str,
    Option<(&'static str, utoipa::openapi::Schema)>,
    bool,
) {
    let Some(mut name) = returns else {
        return ("2XX", None, false);
    };
    if let Some(args) = schema::generics(name, "Result") {
        name = args[0];
    }
    let mut not_found = false;
    if let Shape::Optional(item) = schema::shape(name) {
        (name, not_found) = (item, true);
    }
    let base = crate::spec::base_name(name);
    let text = || {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .build()
            .into()
    };
    let answer = match base {
        "()" => ("200", None),
        "String" | "&str" | "str" | "Cow" => ("200", Some(("text/plain", text()))),
        "Json" => {
            let item = schema::generics(name, "Json").map(|a| a[0]).unwrap_or("");
            ("200", Some(("application/json", schema::schema(item))))
        }
        "JsonStream" => (
            "200",
            Some((
                "application/json",
                ObjectBuilder::new()
                    .schema_type(SchemaType::new(Type::Array))
                    .build()
                    .into(),
            )),
        ),
        "Bytes" => ("200", Some(("application/octet-stream", text()))),
        _ => ("2XX", None),
    };
    (answer.0, answer.1, not_found)
}
