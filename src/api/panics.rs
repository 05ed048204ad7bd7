//! A panic while answering a request becomes a 500 problem document, logged with the
//! request, instead of a dropped connection: a client sees a clear answer, and the
//! worker goes on serving. (Search work runs on the pool, which catches its own panics;
//! this covers everything else that runs on the HTTP workers.)

use std::panic::AssertUnwindSafe;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use futures_util::FutureExt;

use super::error::ApiError;

/// Middleware: runs the rest of the chain, turning a panic into [`ApiError::Internal`].
pub async fn catch(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    // Not the request itself: a clone taken before routing would keep the router from
    // filling in the path parameters.
    let method = req.method().clone();
    let target = req.uri().clone();
    match AssertUnwindSafe(next.call(req)).catch_unwind().await {
        Ok(result) => result.map(ServiceResponse::map_into_boxed_body),
        Err(panic) => {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            tracing::error!(
                %method,
                %target,
                panic = %message,
                "a request panicked; answered 500"
            );
            Err(ApiError::Internal("the server failed while answering".into()).into())
        }
    }
}

#[cfg(test)]
mod tests {
    use actix_web::middleware::from_fn;
    use actix_web::{App, HttpResponse, test, web};

    #[actix_web::test]
    async fn a_panicking_handler_is_a_500_problem_and_the_app_keeps_serving() {
        let app = test::init_service(
            App::new()
                .route(
                    "/boom",
                    web::get().to(|| async {
                        if true {
                            panic!("boom");
                        }
                        HttpResponse::Ok().finish()
                    }),
                )
                .route("/ok", web::get().to(HttpResponse::Ok))
                .wrap(from_fn(super::catch)),
        )
        .await;
        // The error is what the server renders as the response.
        let error =
            test::try_call_service(&app, test::TestRequest::get().uri("/boom").to_request())
                .await
                .expect_err("a panic is an error, not a response");
        let res = error.error_response();
        assert_eq!(res.status().as_u16(), 500);
        let content_type = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        assert_eq!(content_type.as_deref(), Some("application/problem+json"));
        let body = actix_web::body::to_bytes(res.into_body())
            .await
            .unwrap_or_default();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        assert_eq!(body["status"], 500, "{body}");
        let res = test::call_service(&app, test::TestRequest::get().uri("/ok").to_request()).await;
        assert_eq!(res.status().as_u16(), 200);
    }
}
