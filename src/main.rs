fn main() {
    let jp = dorama_search::analysis::Japanese::shared().unwrap();
    for t in dorama_search::analysis::analyze(&jp, &std::env::args().nth(1).unwrap()) {
        println!("{t:?}");
    }
}
