//! Analysis throughput in MB/s of input, Japanese and romaji separately: the analyzer is the
//! part of indexing and querying that is ours rather than tantivy's, and Japanese goes through
//! lindera while romaji does not, so the two are reported apart.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use dorama_search::analysis::{analyze, Japanese};
use dorama_search::corpus;
use dorama_search::record::Record;
use std::hint::black_box;

/// Review text from the benchmark corpus, split by script.
fn texts() -> (String, String) {
    let (mut ja, mut latin) = (String::new(), String::new());
    for r in corpus::records(0.002, 42) {
        if let Record::Review(v) = r {
            if v.body.is_ascii() {
                latin.push_str(&v.body);
                latin.push('\n');
            } else {
                ja.push_str(&v.body);
                ja.push('\n');
            }
        }
        if ja.len() > 200_000 && latin.len() > 200_000 {
            break;
        }
    }
    (ja, latin)
}

fn bench(c: &mut Criterion) {
    let jp = Japanese::shared().expect("IPADIC dictionary (run scripts/setup)");
    let (ja, latin) = texts();
    let mut g = c.benchmark_group("analysis");
    g.sample_size(20);
    g.throughput(Throughput::Bytes(ja.len() as u64));
    g.bench_function("japanese", |b| b.iter(|| black_box(analyze(&jp, &ja))));
    g.throughput(Throughput::Bytes(latin.len() as u64));
    g.bench_function("romaji_and_english", |b| b.iter(|| black_box(analyze(&jp, &latin))));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
