use super::background::BackgroundCopyLoad;
use super::tests::{encode, header, new_log, row, stream};
use super::wire::CopyOutEnd;
use super::{load_copy_rows, CopyLoad};
use crate::log::FactLog;

fn message(code: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![code];
    out.extend_from_slice(&((body.len() + 4) as u32).to_be_bytes());
    out.extend_from_slice(body);
    out
}

/// `copy` as PostgreSQL sends it: CopyOutResponse, CopyData messages of up to `per_message`
/// bytes, CopyDone, then the driver's CommandComplete and ReadyForQuery.
fn wire(copy: &[u8], per_message: usize, done: bool) -> (Vec<u8>, usize) {
    let mut out = message(b'H', &[1, 0, 13]);
    for part in copy.chunks(per_message) {
        out.extend(message(b'd', part));
    }
    if done {
        out.extend(message(b'c', b""));
    }
    let end = out.len();
    out.extend(message(b'C', b"COPY 3\0"));
    out.extend(message(b'Z', b"I"));
    (out, end)
}

/// Pushes `bytes` in pieces of `piece` bytes until the COPY ends; returns where it ended.
fn push_all(load: &mut BackgroundCopyLoad, bytes: &[u8], piece: usize) -> Option<usize> {
    let mut base = 0;
    for part in bytes.chunks(piece) {
        if let CopyOutEnd::Done(at) = load.push(part) {
            return Some(base + at);
        }
        base += part.len();
    }
    None
}

fn rows() -> Vec<u8> {
    stream(&[
        row(1, "a", "1"),
        row(2, "b", r#"{ "x": 2.0 }"#),
        row(3, "a", "3"),
    ])
}

#[test]
fn a_copy_off_the_wire_in_any_pieces_loads_as_the_whole_stream_does() {
    let copy = rows();
    let mut expected_log = new_log();
    let expected = load_copy_rows(&mut expected_log, &copy, true).expect("a valid stream");
    for per_message in [1, 7, 40, copy.len()] {
        let (bytes, end) = wire(&copy, per_message, true);
        for piece in [1, 3, 64, bytes.len()] {
            let mut load = BackgroundCopyLoad::start(new_log());
            assert_eq!(push_all(&mut load, &bytes, piece), Some(end));
            let finished = load.finish();
            assert_eq!(finished.bytes.concat(), copy);
            let (log, loaded) = (finished.log, finished.outcome.expect("a valid COPY"));
            assert_eq!(
                CopyLoad {
                    consumed: expected.consumed,
                    ..loaded
                },
                expected,
                "messages of {per_message}, pieces of {piece}"
            );
            assert_eq!(loaded.consumed, copy.len());
            assert_eq!(log.len(), 3);
            let fact = log.latest_for("b", "k", None).expect("the fact of store b");
            assert_eq!((fact.seq(), fact.value_json()), (2, r#"{"x":2}"#));
        }
    }
}

fn error_after(bytes: &[u8]) -> (FactLog, String, &'static str) {
    let mut load = BackgroundCopyLoad::start(new_log());
    push_all(&mut load, bytes, 16);
    let finished = load.finish();
    let (log, error) = (finished.log, finished.outcome.expect_err("a refused COPY"));
    let message = error.to_string();
    (log, message, error.code())
}

#[test]
fn a_copy_without_its_trailer_or_copy_done_is_corrupt() {
    let copy = rows();
    let (cut, _) = wire(&copy[..copy.len() - 2], 50, true);
    let (log, message, code) = error_after(&cut);
    assert_eq!(code, "ERR_CORRUPT_LOG");
    assert!(message.contains("without its trailer"), "{message}");
    assert_eq!(log.len(), 3);
    let (undone, end) = wire(&copy, 50, false);
    let (_, message, code) = error_after(&undone[..end]);
    assert_eq!(code, "ERR_CORRUPT_LOG");
    assert!(message.contains("without CopyDone"), "{message}");
}

#[test]
fn a_bad_row_stops_the_load_after_the_rows_before_it() {
    let copy = stream(&[row(4, "a", "1"), row(4, "a", "2"), row(9, "a", "3")]);
    let (bytes, _) = wire(&copy, 30, true);
    let (log, message, code) = error_after(&bytes);
    assert_eq!(code, "ERR_CORRUPT_LOG");
    assert!(message.contains("not above the previous seq"), "{message}");
    assert_eq!(log.len(), 1);
}

#[test]
fn an_error_response_ends_the_copy_where_its_message_starts() {
    let copy = rows();
    let mut bytes = message(b'H', &[1, 0, 13]);
    bytes.extend(message(b'd', &copy[..40]));
    let error_at = bytes.len();
    bytes.extend(message(b'E', b"SERROR\0"));
    let mut load = BackgroundCopyLoad::start(new_log());
    assert_eq!(
        load.push(&bytes),
        CopyOutEnd::Other {
            at: error_at,
            carried: 0
        }
    );
    assert!(load.finish().outcome.is_err());
}

#[test]
fn bytes_after_the_trailer_are_corrupt_wherever_the_pieces_cut() {
    let mut copy = rows();
    copy.extend_from_slice(b"extra bytes");
    let (bytes, _) = wire(&copy, 64, true);
    for piece in [1, 5, 64, 300, bytes.len()] {
        let mut load = BackgroundCopyLoad::start(new_log());
        push_all(&mut load, &bytes, piece);
        let finished = load.finish();
        let error = finished.outcome.expect_err("bytes after the trailer");
        assert!(
            error.to_string().contains("bytes after the trailer"),
            "pieces of {piece}: {error}"
        );
        assert_eq!(finished.log.len(), 3);
    }
}

#[test]
fn bytes_after_a_trailer_that_ends_where_a_joined_row_ends_are_corrupt() {
    // A row cut after 10 bytes, whose rest plus the trailer are exactly the bytes joined to it
    // first (1024): the trailer ends there, and the piece goes on.
    let base = encode(&row(1, "a", "\"\""));
    let value = format!("\"{}\"", "v".repeat(1024 + 10 - 2 - base.len()));
    let value: &'static str = Box::leak(value.into_boxed_str());
    let whole = encode(&row(1, "a", value));
    assert_eq!(whole.len() - 10 + 2, 1024);
    let mut first = header();
    first.extend_from_slice(&whole[..10]);
    let mut second = whole[10..].to_vec();
    second.extend_from_slice(&(-1i16).to_be_bytes());
    second.extend_from_slice(b"extra");
    let mut load = BackgroundCopyLoad::start(new_log());
    load.push(&message(b'd', &first));
    load.push(&message(b'd', &second));
    load.push(&message(b'c', b""));
    let finished = load.finish();
    let error = finished.outcome.expect_err("bytes after the trailer");
    assert!(
        error.to_string().contains("bytes after the trailer"),
        "{error}"
    );
    assert_eq!(finished.log.len(), 1);
}
