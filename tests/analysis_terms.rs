//! The format mark follows the analysis. An index keeps the terms of the analysis that wrote
//! it, so the mark it carries (`dorama-format`) must change whenever the analysis would make
//! other terms; otherwise an old index is read with queries analyzed another way and quietly
//! misses. `tests/analysis_terms.txt` pins the mark together with the terms and type-ahead keys
//! of a fixed sample of text in every script: when the terms change and the mark does not,
//! this fails and says to bump `ANALYSIS_VERSION` (`src/analysis/mod.rs`); after that,
//! `DORAMA_BLESS=1` records the new pins (and refuses to while the mark is unchanged).

use dorama_search::analysis::{analyze, fingerprint, suggest, Japanese};
use tantivy::tokenizer::{TokenStream, Tokenizer};

const SAMPLE: &[&str] = &[
    "Sekai no chuushin de, ai wo sakebu",
    "Chūshin CHÛSHIN tyuusin chushin",
    "Koutaro Kohtaro Kōtarō shimbun shinbun",
    "Crying out Love, in the Center of the World",
    "世界の中心で、愛をさけぶ",
    "せかいのちゅうしん セカイノチュウシン",
    "ｾｶｲﾉﾁｭｳｼﾝ ﾃﾞﾝｼｬｵﾄｺ ｶﾞﾘﾚｵ",
    "ＳＥＫＡＣＨＵ Ｄｅｎｓｈａ Ｏｔｏｋｏ １０１",
    "廣瀬亜紀 齋藤 髙橋 渡邊 長澤まさみ",
    "佐々木 人々 時々",
    "でんしゃおとこ じぇじぇじぇ しゃしんをとる",
    "101回目のプロポーズ JIN-仁- 花ざかりの君たちへ〜イケメン♂パラダイス〜",
    "Ossan's Love shin'ichi it's",
    "Beyoncé naïve Œuvre ß straße",
    "mesmorizing filmography ... i like the way the plot melts",
    "\u{FFFD}\u{FFFD} mojibake Ã©",
    "ヴァイオレット・エヴァーガーデン ヴィンランド・サガ ゔぁいおりん",
    "最終回で泣きました。悲しかったけど綺麗なラストでした",
    "第三話 第3話 二十話 二〇〇四年 メンバー コピー",
    "I cried at the endings, crying and loved it",
    "道明寺に振られた 検事って 意外と千秋が Domyoji's children took",
];

const NAMES: &[(&str, bool)] = &[
    ("Sekai no chuushin de, ai wo sakebu", false),
    ("世界の中心で、愛をさけぶ", false),
    ("Yamada Takayuki", true),
    ("山田孝之", true),
    ("花ざかりの君たちへ〜イケメン♂パラダイス〜 一 二 三 四 五 六 七 八 九 十", false),
    ("a very long romanized title with more than eight words in it for sure", false),
];

fn current() -> String {
    let jp = Japanese::shared().expect("the dictionary (scripts/setup)");
    let mut out = vec![format!("mark\t{}", fingerprint())];
    for text in SAMPLE {
        let terms: Vec<String> = analyze(&jp, text).into_iter().map(|t| format!("{}@{}:{}-{}", t.text, t.position, t.start, t.end)).collect();
        out.push(format!("terms\t{text}\t{}", terms.join(" ")));
    }
    for (name, either) in NAMES {
        out.push(format!("keys\t{name}\t{}", suggest::index_keys(&jp, name, *either).join(" ")));
        out.push(format!("query keys\t{name}\t{}", suggest::query_keys(&jp, name).join(" ")));
    }
    let mut prefixes = dorama_search::analysis::tokenizer::SuggestTokenizer;
    let mut stream = prefixes.token_stream("abcdefghijklmnopqrstuvwxyz0123456789 世界ノ中心");
    let mut last = Vec::new();
    while stream.advance() {
        last.push(stream.token().text.clone());
    }
    out.push(format!("prefixes\t{}", last.join(" ")));
    out.join("\n") + "\n"
}

fn mark_of(pins: &str) -> &str {
    pins.lines().next().and_then(|l| l.strip_prefix("mark\t")).unwrap_or("")
}

#[test]
fn the_analyzed_terms_of_a_fixed_sample_change_only_with_the_format_mark() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/analysis_terms.txt");
    let got = current();
    let pinned = std::fs::read_to_string(&path).unwrap_or_default();
    let same_terms = |a: &str, b: &str| a.lines().skip(1).eq(b.lines().skip(1));
    let mark_moved = mark_of(&got) != mark_of(&pinned);
    if std::env::var_os("DORAMA_BLESS").is_some() {
        assert!(
            pinned.is_empty() || same_terms(&got, &pinned) || mark_moved,
            "the terms changed but the format mark did not: bump ANALYSIS_VERSION in src/analysis/mod.rs first"
        );
        std::fs::write(&path, &got).unwrap();
        return;
    }
    if !same_terms(&got, &pinned) {
        let diff: Vec<String> = pinned
            .lines()
            .zip(got.lines())
            .skip(1)
            .filter(|(a, b)| a != b)
            .map(|(a, b)| format!("pinned: {a}\n   got: {b}"))
            .collect();
        assert!(
            mark_moved,
            "the analysis makes other terms but the format mark is unchanged ({}): old indexes would be read \
             with queries analyzed differently. Bump ANALYSIS_VERSION in src/analysis/mod.rs, then \
             DORAMA_BLESS=1 cargo test --release --test analysis_terms.\n{}",
            mark_of(&got),
            diff.join("\n")
        );
        panic!("the analysis and its mark changed together; DORAMA_BLESS=1 records the new pins:\n{}", diff.join("\n"));
    }
    assert!(!mark_moved, "the format mark changed ({} → {}) with the same sample terms: DORAMA_BLESS=1 records it", mark_of(&pinned), mark_of(&got));
}

/// The mark an index is written with carries the analysis fingerprint.
#[test]
fn a_new_index_carries_the_analysis_fingerprint_in_its_format_mark() {
    let dir = tempfile::tempdir().unwrap();
    drop(dorama_search::engine::Engine::open(dir.path(), Default::default()).unwrap());
    let mark = std::fs::read_to_string(dir.path().join("dorama-format")).unwrap();
    assert!(mark.trim_end().ends_with(fingerprint()), "{mark}");
    assert!(fingerprint().starts_with(&format!("analysis {} ", dorama_search::analysis::ANALYSIS_VERSION)));
}
