//! Durability and the single writer, against the real binary: every batch the server
//! acknowledged survives `kill -9` at any moment. Short in CI; `DORAMA_SOAK=N` runs N rounds.

mod common;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::server::{free_port, request, start};

#[test]
fn acknowledged_batches_survive_kill_minus_nine() {
    let rounds: usize = std::env::var("DORAMA_SOAK").ok().and_then(|s| s.parse().ok()).unwrap_or(3);
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("ix");
    // Seed drama first, through the CLI.
    let st = Command::new(env!("CARGO_BIN_EXE_dorama-search"))
        .args(["index", "--index"])
        .arg(&index)
        .arg(common::seed_path())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(st.success());
    let mut acknowledged: Vec<String> = Vec::new();
    let mut next = 0usize;
    for round in 0..rounds {
        let port = free_port();
        let mut server = start(&index, port, &[]);
        // Ingest from another thread while this one picks a moment to kill.
        let (tx, rx) = std::sync::mpsc::channel::<String>();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stop2 = stop.clone();
        let start_id = next;
        let writer = std::thread::spawn(move || {
            let mut i = start_id;
            while !stop2.load(std::sync::atomic::Ordering::SeqCst) {
                let ids: Vec<String> = (0..5).map(|k| format!("dur-{i}-{k}")).collect();
                let body: String = ids
                    .iter()
                    .map(|id| format!(
                        "{{\"type\":\"comment\",\"id\":\"{id}\",\"drama_id\":\"{}\",\"author\":\"u{id}\",\"rating\":7,\"body\":\"durable {id}\"}}\n",
                        common::SEED
                    ))
                    .collect();
                i += 1;
                match request(port, "POST", "/api/records", &body) {
                    Ok((200, _)) => {
                        for id in ids {
                            if tx.send(id).is_err() {
                                return i;
                            }
                        }
                    }
                    _ => return i, // killed mid-request: not acknowledged
                }
            }
            i
        });
        // The kill moment is an event, not a sleep: the k-th acknowledgement of this round
        // (k grows with the round), after which the writer has its next batch in flight.
        for _ in 0..(round % 4 + 1) * 5 {
            acknowledged.push(rx.recv().expect("the writer stopped before its acknowledgements"));
        }
        server.kill().unwrap(); // SIGKILL
        server.wait().unwrap();
        stop.store(true, std::sync::atomic::Ordering::SeqCst);
        next = writer.join().unwrap() + 1;
        acknowledged.extend(rx.try_iter());
    }
    assert!(!acknowledged.is_empty(), "no batch was acknowledged before the kills");
    let port = free_port();
    let mut server = start(&index, port, &[]);
    for id in &acknowledged {
        let (status, body) = request(port, "GET", &format!("/api/records/comment/{id}"), "").unwrap();
        assert_eq!(status, 200, "acknowledged {id} lost: {body}");
    }
    server.kill().unwrap();
    server.wait().unwrap();
}

#[test]
fn a_second_writer_on_a_served_index_fails_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("ix");
    let port = free_port();
    let mut server = start(&index, port, &[]);
    // "At once": the second writer exits on its own while the server still holds the index,
    // instead of waiting for the lock. The deadline is only a safety net against a hang.
    let mut second = Command::new(env!("CARGO_BIN_EXE_dorama-search"))
        .args(["index", "--index"])
        .arg(&index)
        .arg(common::seed_path())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(st) = second.try_wait().unwrap() {
            break st;
        }
        if Instant::now() > deadline {
            second.kill().unwrap();
            panic!("the second writer waited for the lock instead of failing");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(1));
    let mut err = String::new();
    std::io::Read::read_to_string(&mut second.stderr.take().unwrap(), &mut err).unwrap();
    assert!(err.contains("in use by another dorama-search process"), "{err}");
    assert_eq!(request(port, "GET", "/healthz", "").unwrap().0, 200, "the server was still holding the index");
    server.kill().unwrap();
    server.wait().unwrap();
}

#[test]
fn the_admin_token_never_reaches_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("ix");
    let port = free_port();
    let log = dir.path().join("server.log");
    let mut server = serve_logging(&index, port, &log, "trace");
    let (status, _) = request(port, "POST", "/api/top100/recompute", "").unwrap(); // sends the token
    assert_eq!(status, 200);
    // Kill once the request's log line is written (the event), not after a guess.
    logged_line(&log, |l| l.contains("/api/top100/recompute"));
    server.kill().unwrap();
    server.wait().unwrap();
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("/api/top100/recompute"), "the request was not logged at all");
    assert!(!text.contains(common::server::TOKEN), "the token was logged");
}

#[test]
fn a_requests_id_appears_in_its_log_line() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("ix");
    let port = free_port();
    let log = dir.path().join("server.log");
    let mut server = serve_logging(&index, port, &log, "info");
    let mut conn = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    std::io::Write::write_all(&mut conn, b"GET /api/search?q=qqlogged HTTP/1.1\r\nHost: x\r\nx-request-id: qq-req-4711\r\nConnection: close\r\n\r\n").unwrap();
    let mut answer = String::new();
    std::io::Read::read_to_string(&mut conn, &mut answer).unwrap();
    assert!(answer.to_ascii_lowercase().contains("x-request-id: qq-req-4711"), "{answer}");
    // Wait for the line (the event), not for a guessed time.
    let line = logged_line(&log, |l| l.contains("qqlogged") && l.contains("finished processing request"));
    assert!(line.contains("qq-req-4711"), "the request's log line lacks its id: {line}");
    server.kill().unwrap();
    server.wait().unwrap();
}

/// A server on `index` (with the admin token set) whose log, at `level`, goes to `log`; returned
/// once it answers.
fn serve_logging(index: &std::path::Path, port: u16, log: &std::path::Path, level: &str) -> std::process::Child {
    let server = Command::new(env!("CARGO_BIN_EXE_dorama-search"))
        .args(["serve", "--addr", &format!("127.0.0.1:{port}"), "--index"])
        .arg(index)
        .env("DORAMA_ADMIN_TOKEN", common::server::TOKEN)
        .env("DORAMA_LOG", level)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log).unwrap())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !matches!(request(port, "GET", "/healthz", ""), Ok((200, _))) {
        assert!(Instant::now() < deadline, "server did not come up");
        std::thread::sleep(Duration::from_millis(50));
    }
    server
}

/// The first line of `log` that `wanted` accepts, waited for (the event, not a guessed time).
fn logged_line(log: &std::path::Path, wanted: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let text = std::fs::read_to_string(log).unwrap();
        if let Some(line) = text.lines().find(|l| wanted(l)) {
            return line.to_string();
        }
        assert!(Instant::now() < deadline, "the request was not logged:\n{text}");
        std::thread::sleep(Duration::from_millis(20));
    }
}
