//! Stored documents are read from the doc store's bytes by our own reader
//! (`dorama_search::index::stored`); they must read as tantivy's deserializer reads them, for
//! every kind of document, or a tantivy that writes its doc store otherwise would show wrong
//! pages.

mod common;
use dorama_search::index::stored::StoredValues;
use dorama_search::record::Record;
use dorama_search::search::spellings::names_of;
use tantivy::collector::DocSetCollector;
use tantivy::query::AllQuery;
use tantivy::TantivyDocument;

#[test]
fn a_stored_document_reads_as_tantivy_reads_it() {
    let (_d, engine) = common::sample_engine();
    let store = engine.store();
    let searcher = store.searcher();
    let schema = searcher.schema().clone();
    let f = store.fields();
    let all = searcher.search(&AllQuery, &DocSetCollector).unwrap();
    let mut kinds = std::collections::BTreeSet::new();
    let mut values = 0;
    for &addr in &all {
        let ours = store.stored(&searcher, addr).unwrap();
        let theirs: TantivyDocument = searcher.doc(addr).unwrap();
        for (field, entry) in schema.fields() {
            let (a, b): (Vec<&str>, Vec<&str>) = (ours.texts(field).collect(), theirs.texts(field).collect());
            assert_eq!(a, b, "{} of {addr:?}", entry.name());
            assert_eq!(ours.number(field), theirs.number(field), "{} of {addr:?}", entry.name());
            assert_eq!(ours.line(field, " · "), theirs.line(field, " · "), "{}'s line of {addr:?}", entry.name());
            values += a.len() + usize::from(ours.number(field).is_some());
        }
        kinds.insert(ours.text(f.kind).unwrap().to_string());
    }
    assert_eq!(kinds.len(), 6, "every kind of document compared: {kinds:?}");
    assert!(values > 10 * all.len(), "{values} values in {} documents", all.len());
}

/// A name's other spellings are read from the document's `names`, not from its record.
#[test]
fn a_catalog_documents_names_are_the_names_of_its_record() {
    let (_d, engine) = common::sample_engine();
    let store = engine.store();
    let searcher = store.searcher();
    let f = store.fields();
    let mut compared = 0;
    for addr in searcher.search(&AllQuery, &DocSetCollector).unwrap() {
        let doc = store.stored(&searcher, addr).unwrap();
        let Some(rec @ (Record::Drama(_) | Record::Person(_))) = store.record_of(&doc) else { continue };
        let names: Vec<&str> = doc.texts(f.names).collect();
        assert_eq!(names, names_of(&rec), "{addr:?}");
        compared += 1;
    }
    assert!(compared > 50, "{compared} dramas and people");
}

/// A document's `kind:id` as type-ahead reads it from the `key` column (a drama's or person's
/// from a table read out of the column once per segment, any other's from its dictionary) is
/// the kind and id stored with it, for every document of every kind.
#[test]
fn every_documents_key_names_its_own_kind_and_id() {
    let (_d, engine) = common::sample_engine();
    let store = engine.store();
    let searcher = store.searcher();
    let f = store.fields();
    let columns = store.columns().for_searcher(&searcher).unwrap();
    let mut key = String::new();
    let mut catalog = 0;
    for addr in searcher.search(&AllQuery, &DocSetCollector).unwrap() {
        let doc = store.stored(&searcher, addr).unwrap();
        let (kind, id) = (doc.text(f.kind).unwrap(), doc.text(f.id).unwrap());
        assert!(columns[addr.segment_ord as usize].key(addr.doc_id, &mut key), "{addr:?} has a key");
        assert_eq!(key, format!("{kind}:{id}"), "{addr:?}");
        catalog += usize::from(kind == "drama" || kind == "person");
    }
    assert!(catalog > 50, "{catalog} dramas and people");
}

/// Filters, sorts and facets find a document's drama by the hash of its `drama_id`, from a
/// table of each segment's ids read out of the column's dictionary in one pass: every
/// document's hash is its own stored drama's.
#[test]
fn every_documents_drama_key_is_the_hash_of_its_own_drama_id() {
    let (_d, engine) = common::sample_engine();
    let store = engine.store();
    let searcher = store.searcher();
    let f = store.fields();
    let columns = store.columns().for_searcher(&searcher).unwrap();
    let mut with_drama = 0;
    for addr in searcher.search(&AllQuery, &DocSetCollector).unwrap() {
        let doc = store.stored(&searcher, addr).unwrap();
        let want = doc.text(f.drama_id).map(dorama_search::rank::ratings::key_hash);
        assert_eq!(columns[addr.segment_ord as usize].drama_key(addr.doc_id), want, "{addr:?} ({:?})", doc.text(f.drama_id));
        with_drama += usize::from(want.is_some());
    }
    assert!(with_drama > 100, "{with_drama} documents of a drama");
}

/// Start-up reads every drama of the index on several threads, each a run of the documents
/// (`Store::of_kind_in`): a catalogue big enough to be split reads back every drama once, each
/// as it was written.
#[test]
fn a_catalogue_read_on_several_threads_holds_every_drama_as_written() {
    use dorama_search::engine::{fill_from_sample, Engine, Options};
    const DRAMAS: usize = 2_500;
    let dir = tempfile::tempdir().unwrap();
    let sample = dir.path().join("sample");
    std::fs::create_dir_all(&sample).unwrap();
    let lines: Vec<String> = (0..DRAMAS)
        .map(|i| serde_json::json!({"type": "drama", "id": format!("drama-{i}"), "title": format!("Drama number {i}")}).to_string())
        .collect();
    std::fs::write(sample.join("dramas.ndjson"), lines.join("\n") + "\n").unwrap();
    {
        let engine = Engine::open(dir.path(), Options::default()).unwrap();
        fill_from_sample(&engine, dir.path()).unwrap();
    }
    let engine = Engine::open(dir.path(), Options::default()).unwrap();
    let dramas = engine.store().all_dramas().unwrap();
    assert_eq!(dramas.len(), DRAMAS);
    let mut seen = std::collections::BTreeSet::new();
    for d in &dramas {
        let n = d.id.strip_prefix("drama-").unwrap();
        assert_eq!(d.title, format!("Drama number {n}"), "{}", d.id);
        assert!(seen.insert(d.id.clone()), "{} read twice", d.id);
    }
    assert_eq!(engine.num_dramas(), DRAMAS);
}
