//! Throughput and latency of GetRoom and CreateRoom on loopback, quotas off.
//!
//! `cargo bench -p ivschat-local --bench throughput [-- --clients N --seconds S]`
//! Each client keeps one HTTP/1.1 keep-alive connection and sends requests back to back.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use ivschat_local::{Config, QuotaMode};
use std::time::{Duration, Instant};

struct Args {
    clients: usize,
    seconds: f64,
    max_requests: usize,
}

fn args() -> Args {
    let mut a = Args {
        clients: 32,
        seconds: 3.0,
        max_requests: 500_000,
    };
    let v: Vec<String> = std::env::args().collect();
    let mut i = 1;
    while i < v.len() {
        let next = v.get(i + 1).cloned().unwrap_or_default();
        match v[i].as_str() {
            "--clients" => a.clients = next.parse().unwrap_or(a.clients),
            "--seconds" => a.seconds = next.parse().unwrap_or(a.seconds),
            "--max-requests" => a.max_requests = next.parse().unwrap_or(a.max_requests),
            _ => {
                i += 1;
                continue;
            }
        }
        i += 2;
    }
    a
}

async fn client_loop(
    addr: std::net::SocketAddr,
    path: &'static str,
    body: String,
    deadline: Instant,
    budget: usize,
) -> Vec<u32> {
    let stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let _ = stream.set_nodelay(true);
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .expect("handshake");
    tokio::spawn(conn);
    let mut lat = Vec::with_capacity(budget.min(200_000));
    let body = Bytes::from(body);
    while Instant::now() < deadline && lat.len() < budget {
        let req = hyper::Request::post(path)
            .header("host", addr.to_string())
            .header("content-type", "application/json")
            .body(Full::new(body.clone()))
            .expect("request");
        let t = Instant::now();
        let resp = sender.send_request(req).await.expect("send");
        let status = resp.status();
        let _ = resp.into_body().collect().await.expect("body");
        assert!(status.is_success(), "{path}: {status}");
        lat.push(u32::try_from(t.elapsed().as_micros()).unwrap_or(u32::MAX));
    }
    lat
}

async fn run(name: &str, addr: std::net::SocketAddr, path: &'static str, body: String, a: &Args) {
    let deadline = Instant::now() + Duration::from_secs_f64(a.seconds);
    let budget = a.max_requests / a.clients;
    let start = Instant::now();
    let tasks: Vec<_> = (0..a.clients)
        .map(|_| tokio::spawn(client_loop(addr, path, body.clone(), deadline, budget)))
        .collect();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.expect("client task"));
    }
    let secs = start.elapsed().as_secs_f64();
    all.sort_unstable();
    let pct = |p: f64| {
        let idx = ((all.len() as f64 - 1.0) * p).round() as usize;
        f64::from(all.get(idx).copied().unwrap_or(0)) / 1000.0
    };
    println!(
        "{name:<10} clients={:<3} requests={:<8} rps={:>9.0} p50={:.3}ms p99={:.3}ms max={:.3}ms",
        a.clients,
        all.len(),
        all.len() as f64 / secs,
        pct(0.50),
        pct(0.99),
        pct(1.0),
    );
}

fn main() {
    let a = args();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let running = ivschat_local::start(Config {
            quotas: QuotaMode::Off,
            max_rooms: usize::MAX,
            ..Config::default()
        })
        .await
        .expect("start emulator");
        let addr = running.local_addr();
        println!(
            "ivschat-local bench: {} worker threads, endpoint {}",
            std::thread::available_parallelism().map_or(1, |n| n.get()),
            running.endpoint()
        );
        // One room to read.
        let lat = client_loop(
            addr,
            "/CreateRoom",
            r#"{"name":"bench","tags":{"team":"chat"}}"#.to_owned(),
            Instant::now() + Duration::from_secs(5),
            1,
        )
        .await;
        assert_eq!(lat.len(), 1);
        let arn = running.handle().rooms()[0].arn.clone();
        run(
            "GetRoom",
            addr,
            "/GetRoom",
            format!(r#"{{"identifier":"{arn}"}}"#),
            &a,
        )
        .await;
        run(
            "CreateRoom",
            addr,
            "/CreateRoom",
            r#"{"name":"bench","maximumMessageLength":200}"#.to_owned(),
            &a,
        )
        .await;
        // GetRoom again with a large store.
        let n = running.handle().rooms().len();
        run(
            &format!("GetRoom@{n}"),
            addr,
            "/GetRoom",
            format!(r#"{{"identifier":"{arn}"}}"#),
            &a,
        )
        .await;
        running.shutdown().await;
    });
}
