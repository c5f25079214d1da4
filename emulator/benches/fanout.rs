//! Messaging-plane fan-out on loopback: one sender, N connected clients (default 100), all
//! over real WebSockets (tokio-tungstenite), quotas off.
//!
//! `cargo bench -p ivschat-local --bench fanout [-- --clients N --runs R --windows W]`
//!
//! Each run sends W bursts of 100 messages (the room's maximumMessageRatePerSecond, the
//! highest a room allows) back to back, one burst per second, then a steady second at 100
//! messages/s. Per run it prints the deliveries per second inside the bursts (messages x
//! clients / time from the burst's first send to its last delivery) and the p50 / p99
//! delivery latency (send to receipt, every client, every message); then the medians.

use aws_sdk_ivschat::types::ChatTokenCapability;
use futures_util::{SinkExt, StreamExt};
use ivschat_local::{Config, QuotaMode};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

const BURST: usize = 100;

struct Args {
    clients: usize,
    runs: usize,
    windows: usize,
}

fn args() -> Args {
    let mut a = Args {
        clients: 100,
        runs: 5,
        windows: 5,
    };
    let v: Vec<String> = std::env::args().collect();
    let mut i = 1;
    while i < v.len() {
        let next = v.get(i + 1).cloned().unwrap_or_default();
        match v[i].as_str() {
            "--clients" => a.clients = next.parse().unwrap_or(a.clients),
            "--runs" => a.runs = next.parse().unwrap_or(a.runs),
            "--windows" => a.windows = next.parse().unwrap_or(a.windows),
            _ => {
                i += 1;
                continue;
            }
        }
        i += 2;
    }
    a
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(addr: std::net::SocketAddr, token: &str) -> Ws {
    let mut req = format!("ws://{addr}").into_client_request().unwrap();
    req.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_str(token).unwrap(),
    );
    tokio_tungstenite::connect_async(req).await.unwrap().0
}

fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

struct RunResult {
    burst_rate: f64,
    p50_us: u64,
    p99_us: u64,
    steady_p99_us: u64,
}

async fn run(a: &Args) -> RunResult {
    let emu = ivschat_local::start(Config {
        quotas: QuotaMode::Off,
        ..Config::default()
    })
    .await
    .unwrap();
    let conf = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(emu.endpoint())
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_credential_types::Credentials::new(
            "a", "b", None, None, "bench",
        ))
        .load()
        .await;
    let c = aws_sdk_ivschat::Client::new(&conf);
    let room = c
        .create_room()
        .maximum_message_rate_per_second(100)
        .send()
        .await
        .unwrap()
        .arn()
        .unwrap()
        .to_owned();
    let token = |user: &str, send: bool| {
        let mut b = c.create_chat_token().room_identifier(&room).user_id(user);
        if send {
            b = b.capabilities(ChatTokenCapability::SendMessage);
        }
        b.send()
    };
    let base = Instant::now();
    let total = a.windows * BURST + BURST;
    let mut receivers = Vec::new();
    for i in 0..a.clients {
        let t = token(&format!("viewer{i}"), false).await.unwrap();
        let mut ws = connect(emu.local_addr(), t.token().unwrap()).await;
        receivers.push(tokio::spawn(async move {
            // (message number, latency µs, receipt µs since base)
            let mut got = Vec::with_capacity(total);
            while got.len() < total {
                let Some(Ok(Message::Text(t))) = ws.next().await else {
                    break;
                };
                let now = base.elapsed().as_micros() as u64;
                let v: serde_json::Value = serde_json::from_str(t.as_str()).unwrap();
                let content = v["Content"].as_str().unwrap_or_default();
                let (n, sent) = content.split_once(':').unwrap();
                let sent: u64 = sent.parse().unwrap();
                got.push((n.parse::<usize>().unwrap(), now - sent, now));
            }
            got
        }));
    }
    let t = token("sender", true).await.unwrap();
    let sender = connect(emu.local_addr(), t.token().unwrap()).await;
    // Drain the sender's own copies so its socket never backs up.
    let (mut tx, mut rx) = sender.split();
    let drain = tokio::spawn(async move { while rx.next().await.is_some() {} });
    let mut window_starts = Vec::new();
    let mut n = 0;
    for _ in 0..a.windows {
        let start = Instant::now();
        window_starts.push(base.elapsed().as_micros() as u64);
        for _ in 0..BURST {
            let msg = format!("{n}:{}", base.elapsed().as_micros());
            let req = serde_json::json!({"Action": "SEND_MESSAGE", "Content": msg});
            tx.send(Message::Text(req.to_string().into()))
                .await
                .unwrap();
            n += 1;
        }
        tokio::time::sleep_until((start + Duration::from_millis(1050)).into()).await;
    }
    // One steady second: 100 messages, 10 ms apart.
    let steady_from = n;
    for _ in 0..BURST {
        let msg = format!("{n}:{}", base.elapsed().as_micros());
        let req = serde_json::json!({"Action": "SEND_MESSAGE", "Content": msg});
        tx.send(Message::Text(req.to_string().into()))
            .await
            .unwrap();
        n += 1;
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let mut burst_lat = Vec::new();
    let mut steady_lat = Vec::new();
    let mut window_end = vec![0u64; a.windows];
    for r in receivers {
        let got = r.await.unwrap();
        assert_eq!(got.len(), total, "a client missed messages");
        for (n, lat, at) in got {
            if n < steady_from {
                burst_lat.push(lat);
                let w = n / BURST;
                window_end[w] = window_end[w].max(at);
            } else {
                steady_lat.push(lat);
            }
        }
    }
    drain.abort();
    burst_lat.sort_unstable();
    steady_lat.sort_unstable();
    let busy_us: u64 = window_end
        .iter()
        .zip(&window_starts)
        .map(|(e, s)| e - s)
        .sum();
    let deliveries = (a.windows * BURST * a.clients) as f64;
    emu.shutdown().await;
    RunResult {
        burst_rate: deliveries / (busy_us as f64 / 1e6),
        p50_us: percentile(&burst_lat, 0.50),
        p99_us: percentile(&burst_lat, 0.99),
        steady_p99_us: percentile(&steady_lat, 0.99),
    }
}

fn main() {
    let a = args();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    println!(
        "fan-out: 1 sender -> {} clients, bursts of {BURST} messages (the room's maximum per second), {} bursts + 1 steady second per run, {} runs",
        a.clients, a.windows, a.runs
    );
    println!("run | deliveries/s in bursts | burst p50 | burst p99 | steady (100 msg/s) p99");
    let mut rates = Vec::new();
    let mut p50s = Vec::new();
    let mut p99s = Vec::new();
    let mut steady = Vec::new();
    for i in 0..a.runs {
        let r = rt.block_on(run(&a));
        println!(
            "{} | {:.0} | {:.2} ms | {:.2} ms | {:.2} ms",
            i + 1,
            r.burst_rate,
            r.p50_us as f64 / 1000.0,
            r.p99_us as f64 / 1000.0,
            r.steady_p99_us as f64 / 1000.0
        );
        rates.push(r.burst_rate);
        p50s.push(r.p50_us as f64 / 1000.0);
        p99s.push(r.p99_us as f64 / 1000.0);
        steady.push(r.steady_p99_us as f64 / 1000.0);
    }
    println!(
        "median | {:.0} | {:.2} ms | {:.2} ms | {:.2} ms",
        median(rates),
        median(p50s),
        median(p99s),
        median(steady)
    );
}
