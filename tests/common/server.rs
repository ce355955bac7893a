//! Running the real binary as a server on a free loopback port, and a minimal HTTP client.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const TOKEN: &str = "durability-token";
/// The replication token of the servers started here (the server refuses one equal to the
/// admin token).
pub const REPLICATION_TOKEN: &str = "replication-token";

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A minimal HTTP/1.1 client: one request per connection, with the admin token.
pub fn request(port: u16, method: &str, path: &str, body: &str) -> std::io::Result<(u16, String)> {
    request_as(port, method, path, body, TOKEN)
}

/// [`request`] with another bearer token.
pub fn request_as(port: u16, method: &str, path: &str, body: &str, token: &str) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(20)))?;
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {token}\r\nContent-Type: application/x-ndjson\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut out = String::new();
    s.read_to_string(&mut out)?;
    let status = out.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let body = out.split("\r\n\r\n").nth(1).unwrap_or("").to_string();
    Ok((status, body))
}

/// A server started for a test, killed when dropped: a test that fails halfway (a panic
/// before its own `kill`) does not leave its server running.
pub struct Server(pub Child);

impl std::ops::Deref for Server {
    type Target = Child;
    fn deref(&self) -> &Child {
        &self.0
    }
}

impl std::ops::DerefMut for Server {
    fn deref_mut(&mut self) -> &mut Child {
        &mut self.0
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Already stopped by the test: both fail quietly.
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts a server without waiting for it to answer (the admin token is [`TOKEN`], the
/// replication token [`REPLICATION_TOKEN`]).
pub fn spawn(index: &std::path::Path, port: u16, extra: &[&str]) -> Server {
    Server(Command::new(env!("CARGO_BIN_EXE_dorama-search"))
        .args(["serve", "--addr", &format!("127.0.0.1:{port}"), "--index"])
        .arg(index)
        .args(extra)
        .env("DORAMA_ADMIN_TOKEN", TOKEN)
        .env("DORAMA_REPLICATION_TOKEN", REPLICATION_TOKEN)
        .env("DORAMA_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap())
}

/// Starts a server and waits until its `/healthz` answers 200.
pub fn start(index: &std::path::Path, port: u16, extra: &[&str]) -> Server {
    let child = spawn(index, port, extra);
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Ok((200, _)) = request(port, "GET", "/healthz", "") {
            return child;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("server did not come up");
}

