//! Uploaded files: the file parts of a `multipart/form-data` body
//! (FlaskSimpleAuth's `FileStorage`).

use actix_web::web::Bytes;
use std::fmt;

/// A file of a `multipart/form-data` request, read by the parameter of its
/// field name. `Option<Upload>` when optional, `Vec<Upload>` for every file
/// of the name. The whole body is limited by `FSA_MAX_BODY` (413 beyond).
///
/// ```
/// use fsa_runtime::prelude::*;
///
/// #[post("/upload", authz = "AUTH")]
/// async fn upload(file: Upload, comment: Option<String>) -> String {
///     format!("{}: {} bytes", file.filename, file.data.len())
/// }
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Upload {
    /// The form field's name.
    pub name: String,
    /// The file name the client gave (may be empty).
    pub filename: String,
    /// The part's content type, if the client gave one.
    pub content_type: Option<String>,
    /// The file's contents.
    pub data: Bytes,
}

impl fmt::Debug for Upload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Upload")
            .field("name", &self.name)
            .field("filename", &self.filename)
            .field("content_type", &self.content_type)
            .field("len", &self.data.len())
            .finish()
    }
}

/// `Upload` parameters: only with the `multipart` feature, since without it
/// no file can arrive: such a parameter is then a compile error rather than
/// a route that always fails.
#[cfg(feature = "multipart")]
mod param {
    use super::Upload;
    use crate::params::{Input, Param, ParamError, Raw};

    fn not_a_value(raw: Raw<'_>) -> ParamError {
        let what = match raw {
            Raw::Json(_) => "a JSON value",
            _ => "a text value",
        };
        ParamError::Invalid(format!(
            "type error: expected a file (multipart/form-data), got {what}"
        ))
    }

    impl Param for Upload {
        fn extract(input: Input<'_>) -> Result<Self, ParamError> {
            match input.raw {
                None => Err(ParamError::Missing),
                Some(Raw::Files(files)) => files.first().cloned().ok_or(ParamError::Missing),
                Some(other) => Err(not_a_value(other)),
            }
        }
    }

    impl Param for Vec<Upload> {
        fn extract(input: Input<'_>) -> Result<Self, ParamError> {
            match input.raw {
                None => Err(ParamError::Missing),
                Some(Raw::Files(files)) => Ok(files.to_vec()),
                Some(other) => Err(not_a_value(other)),
            }
        }
    }
}

/// The text fields and the files of a multipart body.
pub(crate) type Parts = (Vec<(String, String)>, Vec<Upload>);

#[cfg(feature = "multipart")]
pub(crate) use read::read_multipart;

/// Reading a multipart body (the `multipart` feature).
#[cfg(feature = "multipart")]
mod read {
    use super::{Parts, Upload};
    use crate::errors::ErrorResponse;
    use actix_web::{
        dev::Payload,
        error::PayloadError,
        http::StatusCode,
        web::{Bytes, BytesMut},
        HttpRequest,
    };
    use futures_util::{Stream, StreamExt};
    use std::{
        cell::Cell,
        fmt,
        pin::Pin,
        rc::Rc,
        task::{Context, Poll},
    };

    /// The raw bytes of a request body, counted before they are parsed: beyond
    /// `max` the stream fails (and `over` says why) and then ends, reading no
    /// more.
    struct Counted {
        payload: Payload,
        read: usize,
        max: usize,
        over: Rc<Cell<bool>>,
    }

    impl Stream for Counted {
        type Item = Result<Bytes, PayloadError>;

        fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
            if self.over.get() {
                return Poll::Ready(None);
            }
            let chunk = match self.payload.poll_next_unpin(cx) {
                Poll::Ready(Some(Ok(chunk))) => chunk,
                other => return other,
            };
            self.read = self.read.saturating_add(chunk.len());
            if self.read > self.max {
                self.over.set(true);
                return Poll::Ready(Some(Err(PayloadError::Overflow)));
            }
            Poll::Ready(Some(Ok(chunk)))
        }
    }

    /// Reads a `multipart/form-data` body of at most `max` raw bytes, counted
    /// as they are read, boundaries and part headers included: a body of
    /// endless empty parts or huge part headers is as limited as a big file.
    pub(crate) async fn read_multipart(
        request: &HttpRequest,
        payload: Payload,
        max: usize,
        max_parts: usize,
        too_large: impl Fn() -> ErrorResponse,
    ) -> Result<Parts, ErrorResponse> {
        let over = Rc::new(Cell::new(false));
        let bad = |e: &dyn fmt::Display| {
            if over.get() {
                return too_large();
            }
            ErrorResponse::with_status(
                format!("malformed multipart body: {e}"),
                StatusCode::BAD_REQUEST,
            )
        };
        let counted = Counted {
            payload,
            read: 0,
            max,
            over: Rc::clone(&over),
        };
        let mut multipart = actix_multipart::Multipart::new(request.headers(), counted);
        let (mut fields, mut files) = (Vec::new(), Vec::new());
        while let Some(field) = multipart.next().await {
            if fields.len() + files.len() >= max_parts {
                return Err(crate::params::too_many_params(max_parts));
            }
            let mut field = field.map_err(|e| bad(&e))?;
            let name = field.name().unwrap_or_default().to_string();
            let filename = field
                .content_disposition()
                .and_then(|cd| cd.get_filename())
                .map(str::to_string);
            let content_type = field.content_type().map(|m| m.to_string());
            let mut data = BytesMut::new();
            while let Some(chunk) = field.next().await {
                let chunk = chunk.map_err(|e| bad(&e))?;
                data.extend_from_slice(&chunk);
            }
            if crate::params::has_nul_byte(&name) {
                return Err(ErrorResponse::bad_request(
                    "NUL character in multipart body",
                ));
            }
            match filename {
                Some(filename) => files.push(Upload {
                    name,
                    filename,
                    content_type,
                    data: data.freeze(),
                }),
                None => {
                    let text = String::from_utf8(data.to_vec()).map_err(|_| {
                        ErrorResponse::bad_request(format!(
                            "multipart field {:?} is not valid UTF-8",
                            name
                        ))
                    })?;
                    if crate::params::has_nul_byte(&text) {
                        return Err(ErrorResponse::bad_request(
                            "NUL character in multipart body",
                        ));
                    }
                    fields.push((name, text));
                }
            }
        }
        if over.get() {
            return Err(too_large());
        }
        Ok((fields, files))
    }
}
