//! Slow clients against the real server: a client that trickles its headers or its body is
//! cut off after the request timeout instead of holding a connection forever.
//!
//! No timing is asserted: the event each test waits for is the server closing the socket
//! (end of stream). The client's read timeout is only a safety net far beyond the server's
//! 500 ms request timeout; hitting it means the server held the connection, and fails.

mod common;
use common::server::{free_port, start};
use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// Reads until the server closes the connection; panics if it is still open when the
/// safety net runs out.
fn read_until_closed(mut s: TcpStream) -> String {
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut out = Vec::new();
    match s.read_to_end(&mut out) {
        Ok(_) => {}
        Err(e) if e.kind() == ErrorKind::ConnectionReset => {}
        Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
            panic!("the server still held the connection 20 s later (timeout 500 ms); got {:?}", String::from_utf8_lossy(&out))
        }
        Err(e) => panic!("reading: {e}"),
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn a_client_slow_to_send_its_headers_is_cut_off() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut server = start(&dir.path().join("ix"), port, &["--request-timeout-ms", "500"]);
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").unwrap(); // and never the blank line
    let response = read_until_closed(s);
    assert!(response.is_empty() || response.starts_with("HTTP/1.1 408"), "{response}");
    // The server itself is fine: the next client is served.
    assert_eq!(common::server::request(port, "GET", "/healthz", "").unwrap().0, 200);
    server.kill().unwrap();
    server.wait().unwrap();
}

#[test]
fn a_client_slow_to_send_its_body_gets_408() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut server = start(&dir.path().join("ix"), port, &["--request-timeout-ms", "500"]);
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.write_all(
        format!(
            "POST /api/records HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\nContent-Length: 1000\r\n\r\n{{\"type\":",
            common::server::TOKEN
        )
        .as_bytes(),
    )
    .unwrap();
    let response = read_until_closed(s);
    assert!(response.starts_with("HTTP/1.1 408"), "{response}");
    assert_eq!(common::server::request(port, "GET", "/healthz", "").unwrap().0, 200);
    server.kill().unwrap();
    server.wait().unwrap();
}

/// One request from `source` (an address of the loopback network: all of 127.0.0.0/8 is this
/// machine, so two addresses stand for two visitors), without a token: status and raw answer.
fn request_from(source: &str, port: u16, path: &str) -> (u16, String) {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let s = rt.block_on(async {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind(format!("{source}:0").parse().unwrap()).unwrap();
        socket.connect(format!("127.0.0.1:{port}").parse().unwrap()).await.unwrap().into_std().unwrap()
    });
    s.set_nonblocking(false).unwrap();
    let mut s = s;
    write!(s, "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
    let out = read_until_closed(s);
    (out.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0), out)
}

#[test]
fn a_client_past_its_budget_waits_then_gets_429_while_another_address_and_a_token_are_answered() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut server = start(&dir.path().join("ix"), port, &["--client-rate", "1", "--client-burst", "2"]);
    // Eight at once from one address: two in the burst, one a second later at most, and the
    // rest would wait two seconds or more, which no request does.
    let answers: Vec<(u16, String)> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..8).map(|_| s.spawn(|| request_from("127.0.0.1", port, "/version"))).collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let refused: Vec<&String> = answers.iter().filter(|(st, _)| *st == 429).map(|(_, a)| a).collect();
    assert!(answers.iter().filter(|(st, _)| *st == 200).count() >= 2, "{answers:?}");
    assert!(refused.len() >= 5, "{answers:?}");
    for a in &refused {
        assert!(a.to_ascii_lowercase().contains("retry-after:"), "{a}");
        assert!(a.contains("\"code\":\"rate_limited\""), "{a}");
    }
    // Meanwhile, another visitor is answered, and so is a request with the admin token from
    // the same address.
    assert_eq!(request_from("127.0.0.2", port, "/version").0, 200);
    assert_eq!(common::server::request(port, "GET", "/version", "").unwrap().0, 200);
    let (_, metrics) = common::server::request(port, "GET", "/metrics", "").unwrap();
    let limited = metrics.lines().find(|l| l.starts_with("dorama_http_limited_total ")).unwrap_or("");
    assert!(limited.split(' ').nth(1).and_then(|n| n.parse::<u64>().ok()).is_some_and(|n| n >= 5), "{limited}");
    server.kill().unwrap();
    server.wait().unwrap();
}
