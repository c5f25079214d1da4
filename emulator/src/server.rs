//! Listener and connection handling. Connections are served one by one with hyper so
//! that a request can drop its own connection (reset-after-commit fault).

use crate::admin::admin_routes;
use crate::app::{App, ConnAbort};
use crate::chat;
use crate::persist;
use crate::router::aws_routes;
use axum::Router;
use axum::routing::get;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};
use tower::ServiceExt;

pub(crate) fn router(app: App) -> Router {
    admin_routes(app.clone())
        .route("/", get(chat::socket::upgrade))
        .merge(aws_routes(app.clone()))
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            date_header,
        ))
        .with_state(app)
}

/// The `Date` header by the emulator's clock (which may be skewed), not hyper's.
async fn date_header(
    axum::extract::State(app): axum::extract::State<App>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let mut resp = next.run(req).await;
    if let Ok(v) = http::HeaderValue::from_str(&crate::ids::http_date(app.now_ms())) {
        resp.headers_mut().insert(http::header::DATE, v);
    }
    resp
}

/// Accepts connections until `stop` turns true, then drains them for a short while.
pub(crate) async fn serve(listener: TcpListener, app: App, mut stop: watch::Receiver<bool>) {
    let router = router(app.clone());
    // Every connection task holds a clone; the channel closes once all have ended.
    // (hyper-util's GracefulShutdown does not take connections that may upgrade.)
    let (open_tx, mut open_rx) = tokio::sync::mpsc::channel::<()>(1);
    let persister = app.config.state_file.clone().map(|path| {
        let app = app.clone();
        let mut stop = stop.clone();
        // The version on disk is the one loaded at start: read it now, not when the task first
        // runs, or a change made before then would count as already saved.
        let mut last = app.lock().version;
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = app.persist.notified() => {}
                    _ = stop.changed() => break,
                }
                last = persist::save_if_changed(&app, &path, last).await;
            }
            persist::save_if_changed(&app, &path, last).await;
        })
    });
    loop {
        tokio::select! {
            res = listener.accept() => {
                let (stream, peer) = match res {
                    Ok((s, a)) => (s, chat::PeerAddr(a)),
                    Err(e) => {
                        tracing::warn!("accept failed: {e}");
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let abort = Arc::new(Notify::new());
                let conn_abort = ConnAbort(abort.clone());
                let svc = router.clone().map_request(move |mut req: hyper::Request<Incoming>| {
                    req.extensions_mut().insert(conn_abort.clone());
                    req.extensions_mut().insert(peer);
                    req
                });
                let conn = hyper::server::conn::http1::Builder::new()
                    .timer(TokioTimer::new())
                    .auto_date_header(false)
                    .serve_connection(TokioIo::new(stream), TowerToHyperService::new(svc))
                    // WebSocket upgrades: the messaging plane shares the API's listener.
                    .with_upgrades();
                let open = open_tx.clone();
                let mut stopping = stop.clone();
                tokio::spawn(async move {
                    let _open = open;
                    let mut conn = std::pin::pin!(conn);
                    tokio::select! {
                        _ = conn.as_mut() => {}
                        _ = abort.notified() => {}
                        () = async { let _ = stopping.wait_for(|s| *s).await; } => {
                            // Let the request in flight finish, then close.
                            conn.as_mut().graceful_shutdown();
                            let _ = conn.await;
                        }
                    }
                });
            }
            _ = stop.changed() => break,
        }
    }
    drop(listener);
    app.hub.close_all();
    drop(open_tx);
    let _ = tokio::time::timeout(Duration::from_secs(3), open_rx.recv()).await;
    if let Some(p) = persister {
        let _ = p.await;
    }
}
