//! Streamed JSON answers: [`JsonStream`].

use actix_web::{body::BoxBody, http::header, web::Bytes, HttpRequest, HttpResponse, Responder};
use serde::Serialize;

/// A JSON array answer from an iterator of serializable items: streamed
/// (`[`, items, `]`) as they are produced when `FSA_JSON_STREAMING` is true
/// (the default), built whole otherwise.
///
/// ```
/// use fsa_runtime::{prelude::*, web::JsonStream};
///
/// #[get("/squares", authz = "OPEN")]
/// async fn squares(n: u32) -> JsonStream<Vec<u64>> {
///     JsonStream((0..n as u64).map(|i| i * i).collect())
/// }
/// ```
pub struct JsonStream<I>(pub I);

impl<I> Responder for JsonStream<I>
where
    I: IntoIterator + 'static,
    I::Item: Serialize,
    I::IntoIter: 'static,
{
    type Body = BoxBody;

    fn respond_to(self, request: &HttpRequest) -> HttpResponse {
        let streaming = request
            .app_data::<crate::Fsa>()
            .is_none_or(|fsa| fsa.config().json_streaming);
        let mut builder = HttpResponse::Ok();
        builder.insert_header((header::CONTENT_TYPE, "application/json"));
        let items = self.0.into_iter();
        if !streaming {
            let items: Vec<I::Item> = items.collect();
            return match serde_json::to_vec(&items) {
                Ok(body) => builder.body(body),
                Err(e) => {
                    HttpResponse::InternalServerError().body(format!("cannot serialize: {e}"))
                }
            };
        }
        let mut first = true;
        let chunks = items.map(move |item| {
            let mut chunk = if std::mem::take(&mut first) {
                b"[".to_vec()
            } else {
                b",".to_vec()
            };
            serde_json::to_writer(&mut chunk, &item)
                .map_err(actix_web::error::ErrorInternalServerError)?;
            Ok::<_, actix_web::Error>(Bytes::from(chunk))
        });
        let end = futures_util::stream::once(async {
            Ok::<_, actix_web::Error>(Bytes::from_static(b"]\n"))
        });
        let stream = futures_util::StreamExt::chain(futures_util::stream::iter(chunks), end);
        // An empty iterator still answers `[]`.
        builder.streaming(futures_util::StreamExt::scan(
            stream,
            false,
            |started, chunk| {
                let chunk = match chunk {
                    Ok(bytes) if !*started && bytes.as_ref() == b"]\n" => {
                        Ok(Bytes::from_static(b"[]\n"))
                    }
                    other => other,
                };
                *started = true;
                std::future::ready(Some(chunk))
            },
        ))
    }
}
