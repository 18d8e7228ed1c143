//! Scan throughput: the recogniser over the whole fixture corpus, on one
//! core. Target: at least 20,000 messages per second. Criterion reports
//! "thrpt" in messages (elements) per second.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use vigie::notice::{Rules, recognise};

fn corpus() -> Vec<Vec<u8>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("fixtures dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    files.sort();
    files.iter().map(|p| std::fs::read(p).expect("readable fixture")).collect()
}

fn scan(c: &mut Criterion) {
    let rules = Rules::builtin();
    let corpus = corpus();
    let mut group = c.benchmark_group("scan");
    group.throughput(Throughput::Elements(corpus.len() as u64));
    group.bench_function("fixture corpus", |b| {
        b.iter(|| {
            for raw in &corpus {
                let _ = black_box(recognise(black_box(raw), &rules));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, scan);
criterion_main!(benches);
