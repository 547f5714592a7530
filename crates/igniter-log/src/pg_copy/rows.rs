//! Parsing the rows of a binary COPY of fact columns into a [`RowBatch`]: everything a load
//! does per row but the insert into the log (fields split and checked, text checked as UTF-8,
//! values checked or made canonical, ids and hashes parsed), so that it can run on another
//! thread than the insert.

use super::{corrupt, FACT_FIELDS, HEADER_BYTES, SIGNATURE};
use crate::canonical::canonicalize_append;
use crate::error::LogError;
use crate::log::{Digest, Identifier, NewFact};

/// A part of a batch's text.
#[derive(Debug, Clone, Copy)]
struct Span {
    start: usize,
    end: usize,
}

/// An id or hash in the form the log stores: its bytes, or its text when not in compact form.
#[derive(Debug, Clone, Copy)]
enum Compact<T> {
    Bytes(T),
    Text(Span),
}

/// One parsed row.
#[derive(Debug)]
struct Row {
    seq: u64,
    transaction_time: f64,
    valid_time: Option<f64>,
    schema_version: f64,
    /// Bytes of the row's field payloads (NULLs count 0).
    payload: u64,
    id: Compact<[u8; 16]>,
    value_hash: Compact<[u8; 32]>,
    store: Span,
    key: Span,
    value: Span,
    causation: Option<Span>,
    producer: Option<Span>,
    derivation: Option<Span>,
    idempotency_key: Option<Span>,
}

/// Parsed rows whose text parts (values canonical) are held in one string.
#[derive(Debug, Default)]
pub(super) struct RowBatch {
    text: String,
    rows: Vec<Row>,
}

/// One row of a [`RowBatch`], as the log's load takes it.
pub(super) struct RowFact<'a> {
    pub(super) seq: u64,
    pub(super) payload: u64,
    pub(super) id: Identifier<'a>,
    pub(super) value_hash: Digest<'a>,
    pub(super) fact: NewFact<'a>,
}

impl RowBatch {
    /// The rows, in order.
    pub(super) fn facts(&self) -> impl Iterator<Item = RowFact<'_>> {
        self.rows.iter().map(|row| RowFact {
            seq: row.seq,
            payload: row.payload,
            id: match row.id {
                Compact::Bytes(bytes) => Identifier::Uuid(bytes),
                Compact::Text(span) => Identifier::Text(self.part(span)),
            },
            value_hash: match row.value_hash {
                Compact::Bytes(bytes) => Digest::Bytes(bytes),
                Compact::Text(span) => Digest::Text(self.part(span)),
            },
            fact: NewFact {
                store: self.part(row.store),
                key: self.part(row.key),
                value_json: self.part(row.value),
                causation: row.causation.map(|span| self.part(span)),
                transaction_time: row.transaction_time,
                valid_time: row.valid_time,
                schema_version: row.schema_version,
                producer_json: row.producer.map(|span| self.part(span)),
                derivation_json: row.derivation.map(|span| self.part(span)),
                idempotency_key: row.idempotency_key.map(|span| self.part(span)),
            },
        })
    }

    fn part(&self, span: Span) -> &str {
        self.text.get(span.start..span.end).unwrap_or_default()
    }

    fn push(&mut self, text: &str) -> Span {
        let start = self.text.len();
        self.text.push_str(text);
        Span {
            start,
            end: self.text.len(),
        }
    }

    /// Appends the canonical JSON of `json` (checked, and rewritten when not canonical).
    fn push_canonical(&mut self, json: &str) -> Result<Span, LogError> {
        let start = self.text.len();
        canonicalize_append(json, &mut self.text)?;
        Ok(Span {
            start,
            end: self.text.len(),
        })
    }
}

/// Where [`parse_rows`] stopped.
#[derive(Debug, Default)]
pub(super) struct Parsed {
    /// Bytes taken: the header when asked for, whole rows, the trailer.
    pub(super) consumed: usize,
    /// The trailer was read.
    pub(super) ended: bool,
    /// The first bad row's error; the rows before it are in the batch and counted in
    /// `consumed`.
    pub(super) error: Option<LogError>,
}

/// Parses the whole rows at the start of `bytes` into `batch` (see [`super::load_copy_rows`]
/// for `header` and the errors); stops at the first incomplete row, after the trailer, or at
/// the first bad row.
pub(super) fn parse_rows(bytes: &[u8], header: bool, batch: &mut RowBatch) -> Parsed {
    let mut parsed = Parsed::default();
    if header {
        match header_end(bytes) {
            Ok(Some(end)) => parsed.consumed = end,
            Ok(None) => return parsed,
            Err(error) => {
                parsed.error = Some(error);
                return parsed;
            }
        }
    }
    let mut fields = [None; FACT_FIELDS];
    let mut at = parsed.consumed;
    while let Some(count) = read_i16(bytes, at) {
        if count == -1 {
            parsed.ended = true;
            parsed.consumed = at + 2;
            if parsed.consumed != bytes.len() {
                parsed.error = Some(corrupt("bytes after the trailer"));
            }
            return parsed;
        }
        let row = if count == FACT_FIELDS as i16 {
            split_row(bytes, at + 2, &mut fields)
        } else {
            Err(corrupt(format!(
                "a row of {count} fields, expected {FACT_FIELDS}"
            )))
        };
        let (end, payload) = match row {
            Ok(Some(row)) => row,
            Ok(None) => break,
            Err(error) => {
                parsed.error = Some(error);
                return parsed;
            }
        };
        let mark = batch.text.len();
        if let Err(error) = parse_row(&fields, payload, batch) {
            batch.text.truncate(mark);
            parsed.error = Some(error);
            return parsed;
        }
        at = end;
        parsed.consumed = end;
    }
    parsed
}

/// The end of the header, `None` while it is incomplete.
fn header_end(bytes: &[u8]) -> Result<Option<usize>, LogError> {
    if bytes.len() < HEADER_BYTES {
        return Ok(None);
    }
    if &bytes[..SIGNATURE.len()] != SIGNATURE {
        return Err(corrupt("no PGCOPY signature"));
    }
    let extension = read_i32(bytes, SIGNATURE.len() + 4).unwrap_or(-1);
    let extension =
        usize::try_from(extension).map_err(|_| corrupt("a negative header extension"))?;
    let end = HEADER_BYTES + extension;
    Ok((bytes.len() >= end).then_some(end))
}

fn read_i16(bytes: &[u8], at: usize) -> Option<i16> {
    Some(i16::from_be_bytes(bytes.get(at..at + 2)?.try_into().ok()?))
}

fn read_i32(bytes: &[u8], at: usize) -> Option<i32> {
    Some(i32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

/// Fills `fields` with the row's field bytes from `at` (`None` for NULL); returns where the
/// row ends and its payload bytes, or `None` when the row is incomplete.
fn split_row<'a>(
    bytes: &'a [u8],
    mut at: usize,
    fields: &mut [Option<&'a [u8]>; FACT_FIELDS],
) -> Result<Option<(usize, u64)>, LogError> {
    let mut payload = 0;
    for field in fields.iter_mut() {
        let Some(length) = read_i32(bytes, at) else {
            return Ok(None);
        };
        at += 4;
        if length == -1 {
            *field = None;
            continue;
        }
        let length = usize::try_from(length).map_err(|_| corrupt("a negative field length"))?;
        let Some(data) = bytes.get(at..at + length) else {
            return Ok(None);
        };
        *field = Some(data);
        payload += length as u64;
        at += length;
    }
    Ok(Some((at, payload)))
}

/// Parses one row into `batch`.
fn parse_row(
    fields: &[Option<&[u8]>; FACT_FIELDS],
    payload: u64,
    batch: &mut RowBatch,
) -> Result<(), LogError> {
    let seq = i64::from_be_bytes(fixed(fields[0], "seq")?);
    let seq = u64::try_from(seq)
        .ok()
        .filter(|&seq| seq > 0)
        .ok_or_else(|| corrupt(format!("seq {seq} is not a positive integer")))?;
    let required = |index: usize, name: &str| {
        text(fields[index], name)?.ok_or_else(|| corrupt(format!("fact {seq} has a NULL {name}")))
    };
    let id = required(1, "id")?;
    let store = required(2, "store")?;
    let key = required(3, "key")?;
    let value = required(4, "value")?;
    let value_hash = required(5, "value_hash")?;
    let causation = text(fields[6], "causation")?;
    let transaction_time = f64::from_be_bytes(fixed(fields[7], "transaction_time")?);
    let valid_time = fields[8]
        .map(|bytes| fixed(Some(bytes), "valid_time").map(f64::from_be_bytes))
        .transpose()?;
    let schema_version = f64::from(i32::from_be_bytes(fixed(fields[9], "schema_version")?));
    let producer = text(fields[10], "producer")?;
    let derivation = text(fields[11], "derivation")?;
    let idempotency_key = text(fields[12], "idempotency_key")?;
    let row = Row {
        seq,
        transaction_time,
        valid_time,
        schema_version,
        payload,
        value: batch.push_canonical(value)?,
        producer: producer
            .map(|json| batch.push_canonical(json))
            .transpose()?,
        derivation: derivation
            .map(|json| batch.push_canonical(json))
            .transpose()?,
        id: match Identifier::parse(id) {
            Identifier::Uuid(bytes) => Compact::Bytes(bytes),
            Identifier::Text(text) => Compact::Text(batch.push(text)),
        },
        value_hash: match Digest::parse(value_hash) {
            Digest::Bytes(bytes) => Compact::Bytes(bytes),
            Digest::Text(text) => Compact::Text(batch.push(text)),
        },
        store: batch.push(store),
        key: batch.push(key),
        causation: causation.map(|text| batch.push(text)),
        idempotency_key: idempotency_key.map(|text| batch.push(text)),
    };
    batch.rows.push(row);
    Ok(())
}

/// A fixed-size field (`N` bytes); NULL or another size is a malformed row.
fn fixed<const N: usize>(field: Option<&[u8]>, name: &str) -> Result<[u8; N], LogError> {
    field
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or_else(|| corrupt(format!("{name} is not {N} bytes")))
}

/// A text field as UTF-8, `None` for NULL.
fn text<'a>(field: Option<&'a [u8]>, name: &str) -> Result<Option<&'a str>, LogError> {
    field
        .map(|bytes| {
            std::str::from_utf8(bytes).map_err(|_| corrupt(format!("{name} is not UTF-8")))
        })
        .transpose()
}
