//! The soak: a served index under searches, ingest, deletes, recomputes and snapshots at once,
//! killed with `kill -9` at a random moment each round and started again. After every restart
//! each acknowledged record is there, each acknowledged delete has stuck, every snapshot opens
//! with what was acknowledged before it, and the server's resident memory after the same
//! warm-up does not grow from round to round. Two short rounds in CI; `DORAMA_SOAK=N` runs N
//! (figures in the README).

mod common;
use common::server::{free_port, request, start};
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Default)]
struct Ledger {
    /// Records whose batch was acknowledged, and not deleted since.
    live: BTreeSet<String>,
    /// Records whose delete was acknowledged.
    deleted: BTreeSet<String>,
    /// Records whose delete was in flight at a kill: either outcome is right.
    unsure: BTreeSet<String>,
}

fn rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok()))
        .unwrap_or(0)
}

/// The same reads every round, so that memory is compared after the same work.
fn warm_up(port: u16) {
    for q in ["sekachu", "love", "世界の中心", "soak", "takayuki yamada", "tears"] {
        for _ in 0..20 {
            let (s, _) = request(port, "GET", &format!("/api/search?q={}&limit=50", q.replace(' ', "+")), "").unwrap();
            assert_eq!(s, 200);
        }
    }
    request(port, "GET", "/api/top100", "").unwrap();
}

#[test]
fn a_served_index_survives_kill_minus_nine_under_mixed_load_round_after_round() {
    let rounds: usize = std::env::var("DORAMA_SOAK").ok().and_then(|s| s.parse().ok()).unwrap_or(2);
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("ix");
    let snaps = dir.path().join("snapshots");
    std::fs::create_dir_all(&snaps).unwrap();
    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let mut rss = Vec::new();
    let mut rng = dorama_search::corpus::Rng::new(2026);
    let mut next_batch = 0usize;
    let mut taken: Vec<(std::path::PathBuf, Vec<String>)> = Vec::new();
    for round in 0..rounds {
        let port = free_port();
        let mut server = start(&index, port, &["--snapshot-dir", snaps.to_str().unwrap()]);
        if round == 0 {
            let (s, b) = request(port, "POST", "/api/records", &common::seed_text()).unwrap();
            assert_eq!(s, 200, "{b}");
        }
        warm_up(port);
        rss.push(rss_kb(server.id()));
        let stop = Arc::new(AtomicBool::new(false));
        let acks = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let kill_after = 10 + (rng.unit() * 40.0) as usize;
        std::thread::scope(|s| {
            // Ingest: batches of five rated comments.
            let (l, st, ac) = (ledger.clone(), stop.clone(), acks.clone());
            let first = next_batch;
            let writer = s.spawn(move || {
                let mut i = first;
                while !st.load(Ordering::SeqCst) {
                    let ids: Vec<String> = (0..5).map(|k| format!("soak-{i}-{k}")).collect();
                    let body: String = ids
                        .iter()
                        .map(|id| format!("{{\"type\":\"comment\",\"id\":\"{id}\",\"drama_id\":\"{}\",\"author\":\"u{id}\",\"rating\":{},\"body\":\"soak {id}\"}}\n", common::SEED, 1 + i % 10))
                        .collect();
                    i += 1;
                    match request(port, "POST", "/api/records", &body) {
                        Ok((200, _)) => {
                            l.lock().unwrap().live.extend(ids);
                            ac.fetch_add(1, Ordering::SeqCst);
                        }
                        _ => break,
                    }
                }
                i
            });
            // Deletes of acknowledged records.
            let (l, st) = (ledger.clone(), stop.clone());
            s.spawn(move || {
                while !st.load(Ordering::SeqCst) {
                    let victim = l.lock().unwrap().live.iter().nth(3).cloned();
                    let Some(id) = victim else {
                        std::thread::sleep(Duration::from_millis(5));
                        continue;
                    };
                    l.lock().unwrap().live.remove(&id);
                    match request(port, "DELETE", &format!("/api/records/comment/{id}"), "") {
                        Ok((200, _)) => {
                            l.lock().unwrap().deleted.insert(id);
                        }
                        _ => {
                            l.lock().unwrap().unsure.insert(id);
                            break;
                        }
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
            });
            // Searches, Top 100 and recounts.
            let st = stop.clone();
            s.spawn(move || {
                let mut n = 0;
                while !st.load(Ordering::SeqCst) {
                    let path = match n % 4 {
                        0 => "/api/search?q=soak".to_string(),
                        1 => format!("/api/dramas/{}/forum?q=soak", common::SEED),
                        2 => "/api/top100".to_string(),
                        _ => "/api/suggest?q=seka".to_string(),
                    };
                    if request(port, "GET", &path, "").is_err() {
                        break;
                    }
                    if n % 25 == 0 && request(port, "POST", "/api/top100/recompute", "").is_err() {
                        break;
                    }
                    n += 1;
                }
            });
            // A snapshot while all of that runs.
            std::thread::sleep(Duration::from_millis(30));
            let before: Vec<String> = ledger.lock().unwrap().live.iter().cloned().collect();
            let dest = snaps.join(format!("round-{round}"));
            let (s_status, body) = request(port, "POST", &format!("/api/snapshot?dest=round-{round}"), "").unwrap();
            assert_eq!(s_status, 200, "{body}");
            taken.push((dest, before));
            // The kill: after a random number of acknowledged batches.
            while acks.load(Ordering::SeqCst) < kill_after {
                std::thread::sleep(Duration::from_millis(2));
            }
            server.kill().unwrap(); // SIGKILL
            server.wait().unwrap();
            stop.store(true, Ordering::SeqCst);
            next_batch = writer.join().unwrap() + 1;
        });
        // After the restart (the next round's, or the check's below), everything acknowledged is there.
        let port = free_port();
        let mut check = start(&index, port, &[]);
        let l = ledger.lock().unwrap();
        for id in &l.live {
            let (status, body) = request(port, "GET", &format!("/api/records/comment/{id}"), "").unwrap();
            assert_eq!(status, 200, "round {round}: acknowledged {id} lost: {body}");
        }
        for id in &l.deleted {
            let (status, _) = request(port, "GET", &format!("/api/records/comment/{id}"), "").unwrap();
            assert_eq!(status, 404, "round {round}: deleted {id} came back");
        }
        eprintln!(
            "round {round}: {} live, {} deleted, {} unsure, killed after {kill_after} batches, RSS after warm-up {} kB",
            l.live.len(),
            l.deleted.len(),
            l.unsure.len(),
            rss[round]
        );
        drop(l);
        check.kill().unwrap();
        check.wait().unwrap();
    }
    let l = ledger.lock().unwrap();
    for (dest, before) in &taken {
        let e = dorama_search::engine::Engine::open(dest, Default::default()).unwrap();
        // A snapshot holds everything acknowledged before it, but for records whose delete
        // may have run before it was taken.
        for id in before.iter().filter(|id| !l.deleted.contains(*id) && !l.unsure.contains(*id)) {
            assert!(e.get(dorama_search::record::Kind::Comment, id).unwrap().is_some(), "{}: {id}", dest.display());
        }
    }
    drop(l);
    // Memory after the same warm-up: no growth beyond what the larger index explains.
    let first = rss[0].max(1);
    let last = *rss.last().unwrap();
    assert!(last < first * 2, "resident memory grew from {first} kB to {last} kB over {rounds} rounds: {rss:?}");
}
