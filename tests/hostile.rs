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
