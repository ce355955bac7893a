//! Slow clients against the real server: a client that trickles its headers or its body is
//! cut off after the request timeout instead of holding a connection forever.

mod common;
use common::server::{free_port, start};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

fn read_all(mut s: TcpStream) -> (String, Duration) {
    let started = Instant::now();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    (String::from_utf8_lossy(&out).into_owned(), started.elapsed())
}

#[test]
fn a_client_slow_to_send_its_headers_is_cut_off() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut server = start(&dir.path().join("ix"), port, &["--request-timeout-ms", "500"]);
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").unwrap(); // and never the blank line
    let (_, took) = read_all(s);
    assert!(took < Duration::from_secs(10), "connection held for {took:?}");
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
    let (response, took) = read_all(s);
    assert!(response.starts_with("HTTP/1.1 408"), "{response}");
    assert!(took < Duration::from_secs(10), "connection held for {took:?}");
    server.kill().unwrap();
    server.wait().unwrap();
}
