//! The terminal chat client (`ivschat-local chat`): mints a chat token through the API
//! (CreateChatToken, unsigned: for an emulator started without --access-key-id), joins the
//! room over the messaging plane, prints what arrives and sends what is typed.
//!
//! Typed lines: text sends a message; `/delete ID [REASON]` deletes a message, `/kick USER
//! [REASON]` disconnects a user (both need `--moderator`); `/quit` or end of input leaves.

use super::payload::Payload;
use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use http_body_util::{BodyExt, Full, Limited};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWrite, AsyncWriteExt};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

/// What the terminal client joins as.
#[derive(Clone, Debug)]
pub struct ChatClientOptions {
    /// The API endpoint, `http://HOST:PORT` (the messaging plane is the same address).
    pub endpoint: String,
    /// Room ARN.
    pub room: String,
    /// userId of the token.
    pub user: String,
    /// Token attributes (shown to others as the sender's attributes).
    pub attributes: BTreeMap<String, String>,
    /// Also grant DELETE_MESSAGE and DISCONNECT_USER.
    pub moderator: bool,
}

/// Why the client stopped early.
#[derive(Debug, thiserror::Error)]
pub enum ChatClientError {
    /// The API refused or could not be reached.
    #[error("CreateChatToken failed: {0}")]
    Token(String),
    /// The WebSocket could not be opened.
    #[error("cannot join the room: {0}")]
    Connect(String),
    /// Reading input or writing output failed.
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
}

async fn create_token(o: &ChatClientOptions) -> Result<String, ChatClientError> {
    let uri: http::Uri = format!("{}/CreateChatToken", o.endpoint.trim_end_matches('/'))
        .parse()
        .map_err(|e| ChatClientError::Token(format!("bad --endpoint {}: {e}", o.endpoint)))?;
    let authority = uri
        .authority()
        .ok_or_else(|| ChatClientError::Token(format!("bad --endpoint {}", o.endpoint)))?
        .clone();
    let mut caps = vec!["SEND_MESSAGE"];
    if o.moderator {
        caps.extend(["DELETE_MESSAGE", "DISCONNECT_USER"]);
    }
    let body = json!({
        "roomIdentifier": o.room,
        "userId": o.user,
        "capabilities": caps,
        "attributes": o.attributes,
    });
    let stream =
        tokio::net::TcpStream::connect((authority.host(), authority.port_u16().unwrap_or(80)))
            .await
            .map_err(|e| ChatClientError::Token(format!("cannot reach {}: {e}", o.endpoint)))?;
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .map_err(|e| ChatClientError::Token(e.to_string()))?;
    tokio::spawn(conn);
    let req = http::Request::post("/CreateChatToken")
        .header(http::header::HOST, authority.as_str())
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(Full::new(Bytes::from(body.to_string())))
        .map_err(|e| ChatClientError::Token(e.to_string()))?;
    let resp = sender
        .send_request(req)
        .await
        .map_err(|e| ChatClientError::Token(e.to_string()))?;
    let status = resp.status();
    let bytes = Limited::new(resp.into_body(), 1 << 20)
        .collect()
        .await
        .map_err(|e| ChatClientError::Token(e.to_string()))?
        .to_bytes();
    let v: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    match v["token"].as_str() {
        Some(t) if status.is_success() => Ok(t.to_owned()),
        _ => Err(ChatClientError::Token(format!(
            "HTTP {status}: {}",
            v.get("message")
                .and_then(Value::as_str)
                .unwrap_or("no token in the answer")
        ))),
    }
}

/// How one payload reads on a terminal.
fn render(p: &Payload) -> String {
    let attrs = |a: &BTreeMap<String, String>| {
        if a.is_empty() {
            String::new()
        } else {
            let kv: Vec<String> = a.iter().map(|(k, v)| format!("{k}={v}")).collect();
            format!(" [{}]", kv.join(", "))
        }
    };
    match p {
        Payload::Message {
            id,
            content,
            sender,
            send_time,
            ..
        } => {
            let time = send_time.get(11..19).unwrap_or(send_time);
            format!("{time} {}: {content}  ({id})", sender.user_id)
        }
        Payload::Event {
            event_name,
            attributes,
            ..
        } => format!("* {event_name}{}", attrs(attributes)),
        Payload::Error {
            error_code,
            error_message,
            ..
        } => format!("! {error_code}: {error_message}"),
    }
}

/// The request a typed line makes; `None` for `/quit`.
fn request(line: &str) -> Option<Value> {
    let mut words = line.splitn(3, ' ');
    match words.next() {
        Some("/quit") => None,
        Some("/delete") => Some(json!({
            "Action": "DELETE_MESSAGE",
            "Id": words.next().unwrap_or_default(),
            "Reason": words.next(),
        })),
        Some("/kick") => Some(json!({
            "Action": "DISCONNECT_USER",
            "UserId": words.next().unwrap_or_default(),
            "Reason": words.next(),
        })),
        _ => Some(json!({"Action": "SEND_MESSAGE", "Content": line})),
    }
}

/// Runs the client until `/quit`, end of input, or the room closes the connection.
pub async fn run_chat_client(
    o: &ChatClientOptions,
    input: impl AsyncBufRead + Unpin,
    mut output: impl AsyncWrite + Unpin,
) -> Result<(), ChatClientError> {
    let token = create_token(o).await?;
    let ws_url = o.endpoint.replacen("http://", "ws://", 1);
    let mut req = ws_url
        .as_str()
        .into_client_request()
        .map_err(|e| ChatClientError::Connect(e.to_string()))?;
    let proto =
        HeaderValue::from_str(&token).map_err(|e| ChatClientError::Connect(e.to_string()))?;
    req.headers_mut().insert("Sec-WebSocket-Protocol", proto);
    let (ws, _) = tokio_tungstenite::connect_async(req)
        .await
        .map_err(|e| ChatClientError::Connect(e.to_string()))?;
    let (mut tx, mut rx) = ws.split();
    output
        .write_all(
            format!(
                "* joined {} as {} (type to send; /delete ID, /kick USER, /quit)\n",
                o.room, o.user
            )
            .as_bytes(),
        )
        .await?;
    output.flush().await?;
    let mut lines = input.lines();
    let mut input_open = true;
    loop {
        tokio::select! {
            line = lines.next_line(), if input_open => {
                let Some(line) = line? else {
                    input_open = false;
                    let _ = tx.send(Message::Close(None)).await;
                    continue;
                };
                if line.trim().is_empty() {
                    continue;
                }
                match request(line.trim_end()) {
                    Some(r) => {
                        if tx.send(Message::Text(r.to_string().into())).await.is_err() {
                            break;
                        }
                    }
                    None => {
                        let _ = tx.send(Message::Close(None)).await;
                        input_open = false;
                    }
                }
            }
            msg = rx.next() => match msg {
                Some(Ok(Message::Text(t))) => {
                    let text = match serde_json::from_str::<Payload>(t.as_str()) {
                        Ok(p) => render(&p),
                        Err(_) => format!("? {t}"),
                    };
                    output.write_all(format!("{text}\n").as_bytes()).await?;
                    output.flush().await?;
                }
                Some(Ok(Message::Close(frame))) => {
                    let why = frame.map(|f| f.reason.to_string()).unwrap_or_default();
                    if input_open {
                        output.write_all(format!("* disconnected: {why}\n").as_bytes()).await?;
                        output.flush().await?;
                    }
                    break;
                }
                Some(Ok(_)) => {}
                Some(Err(_)) | None => break,
            },
        }
    }
    Ok(())
}
