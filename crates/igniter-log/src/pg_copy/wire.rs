//! The backend messages of a `COPY ... TO STDOUT`, as they come off the socket: a
//! `CopyOutResponse`, `CopyData` messages (whose payloads, joined, are the COPY bytes), a
//! `CopyDone`; `NoticeResponse`, `ParameterStatus` and `NotificationResponse` may come in
//! between (PostgreSQL's protocol, "COPY Operations"). Anything else ends the COPY's messages:
//! an `ErrorResponse`, or what follows `CopyDone` (`CommandComplete`, `ReadyForQuery`), which
//! belong to the driver again.
//!
//! A message is a code byte and a 4-byte big-endian length that counts itself; the socket cuts
//! messages anywhere, so [`CopyOutMessages`] keeps its place across pieces.

/// Bytes of a message header: the code and the length.
const HEADER_BYTES: usize = 5;

/// Where a piece given to [`CopyOutMessages::push`] left the COPY.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopyOutEnd {
    /// Every byte of the piece belonged to the COPY's messages; more are to come.
    Continues,
    /// The COPY's messages end at this offset of the piece, just past its `CopyDone`; the rest
    /// of the piece belongs to the driver.
    Done(usize),
    /// A message that is not part of a COPY in progress (an `ErrorResponse`, or anything
    /// unexpected) starts at offset `at` of the piece: the COPY failed, and that message and
    /// everything after it belong to the driver. When the piece's start cut its header,
    /// `carried` of its bytes came in earlier pieces (see [`CopyOutMessages::carried`]) and
    /// `at` is 0.
    Other {
        /// Offset in the piece.
        at: usize,
        /// Header bytes of that message in earlier pieces.
        carried: usize,
    },
}

/// The state of one COPY's message stream. See the module docs.
#[derive(Debug, Default)]
pub struct CopyOutMessages {
    /// Header bytes of a message cut by the end of a piece.
    header: [u8; HEADER_BYTES],
    header_len: usize,
    /// The code of the message being read, and the bytes of its body still to come.
    code: u8,
    remaining: usize,
    /// `CopyDone` was read, or another message ended the COPY.
    finished: bool,
    /// Header bytes of the message that ended the COPY that came in earlier pieces.
    carried: usize,
}

/// `CopyData`, `CopyDone`, `CopyOutResponse`; the messages that may come in between.
const COPY_DATA: u8 = b'd';
const COPY_DONE: u8 = b'c';
const COPY_OUT_RESPONSE: u8 = b'H';
const INTERLEAVED: [u8; 3] = [b'N', b'S', b'A'];

impl CopyOutMessages {
    /// Reads the messages in `piece`, the next bytes off the socket, and appends the payloads
    /// of its `CopyData` messages to `out`. After an end (`Done`, `Other`) it takes nothing
    /// more and answers `Other` at 0.
    pub fn push(&mut self, piece: &[u8], out: &mut Vec<u8>) -> CopyOutEnd {
        if self.finished {
            return CopyOutEnd::Other { at: 0, carried: 0 };
        }
        let mut at = 0;
        while at < piece.len() {
            if self.remaining > 0 {
                let take = self.remaining.min(piece.len() - at);
                if self.code == COPY_DATA {
                    out.extend_from_slice(&piece[at..at + take]);
                }
                at += take;
                self.remaining -= take;
                continue;
            }
            // A message header starts here (or continues a cut one).
            let start = at;
            let take = (HEADER_BYTES - self.header_len).min(piece.len() - at);
            self.header[self.header_len..self.header_len + take]
                .copy_from_slice(&piece[at..at + take]);
            self.header_len += take;
            at += take;
            if self.header_len < HEADER_BYTES {
                break;
            }
            self.header_len = 0;
            let code = self.header[0];
            let length = u32::from_be_bytes([
                self.header[1],
                self.header[2],
                self.header[3],
                self.header[4],
            ]) as usize;
            let known =
                code == COPY_DATA || code == COPY_OUT_RESPONSE || INTERLEAVED.contains(&code);
            if code == COPY_DONE && length == 4 {
                self.code = code;
                self.finished = true;
                return CopyOutEnd::Done(at);
            }
            if !known || length < 4 {
                // The driver gets the whole message, from its first byte.
                self.finished = true;
                self.carried = HEADER_BYTES - take;
                return CopyOutEnd::Other {
                    at: start,
                    carried: self.carried,
                };
            }
            self.code = code;
            self.remaining = length - 4;
        }
        CopyOutEnd::Continues
    }

    /// Whether `CopyDone` was read.
    pub fn done(&self) -> bool {
        self.finished && self.code == COPY_DONE
    }

    /// The header bytes, from earlier pieces, of the message that ended the COPY (see
    /// [`CopyOutEnd::Other`]); empty otherwise.
    pub fn carried(&self) -> &[u8] {
        &self.header[..self.carried]
    }
}

#[cfg(test)]
mod tests {
    use super::{CopyOutEnd, CopyOutMessages};

    fn message(code: u8, body: &[u8]) -> Vec<u8> {
        let mut out = vec![code];
        out.extend_from_slice(&((body.len() + 4) as u32).to_be_bytes());
        out.extend_from_slice(body);
        out
    }

    fn copy_out(rows: &[&[u8]]) -> Vec<u8> {
        let mut bytes = message(b'H', &[1, 0, 0]);
        for (i, row) in rows.iter().enumerate() {
            bytes.extend(message(b'd', row));
            if i == 0 {
                bytes.extend(message(b'N', b"a notice\0"));
            }
        }
        bytes.extend(message(b'c', b""));
        bytes
    }

    #[test]
    fn payloads_are_joined_in_order_wherever_the_socket_cuts_the_messages() {
        let mut bytes = copy_out(&[b"first row", b"second", b"", b"third row!"]);
        let done_at = bytes.len();
        bytes.extend(message(b'C', b"COPY 3\0"));
        bytes.extend(message(b'Z', b"I"));
        for cut in 1..bytes.len() {
            for second_cut in cut..bytes.len() {
                let mut messages = CopyOutMessages::default();
                let mut out = Vec::new();
                let pieces = [&bytes[..cut], &bytes[cut..second_cut], &bytes[second_cut..]];
                let mut ends = Vec::new();
                let mut base = 0;
                for piece in pieces {
                    match messages.push(piece, &mut out) {
                        CopyOutEnd::Continues => {}
                        CopyOutEnd::Done(at) => ends.push(base + at),
                        CopyOutEnd::Other { at, .. } => panic!("ended by another message at {at}"),
                    }
                    base += piece.len();
                    if !ends.is_empty() {
                        break;
                    }
                }
                assert_eq!(
                    out, b"first rowsecondthird row!",
                    "cuts {cut}, {second_cut}"
                );
                assert_eq!(ends, vec![done_at], "cuts {cut}, {second_cut}");
                assert!(messages.done());
            }
        }
    }

    #[test]
    fn an_error_response_ends_the_copy_where_it_starts() {
        let mut bytes = message(b'H', &[1, 0, 0]);
        bytes.extend(message(b'd', b"row"));
        let error_at = bytes.len();
        bytes.extend(message(b'E', b"SERROR\0"));
        let mut messages = CopyOutMessages::default();
        let mut out = Vec::new();
        assert_eq!(
            messages.push(&bytes, &mut out),
            CopyOutEnd::Other {
                at: error_at,
                carried: 0
            }
        );
        assert_eq!(out, b"row");
        assert!(!messages.done());
        assert!(messages.carried().is_empty());
        assert_eq!(
            messages.push(b"more", &mut out),
            CopyOutEnd::Other { at: 0, carried: 0 }
        );
        assert_eq!(out, b"row");
    }

    #[test]
    fn an_error_response_cut_after_its_code_is_handed_over_from_the_code() {
        let mut bytes = message(b'd', b"row");
        let error = message(b'E', b"SERROR\0");
        bytes.extend_from_slice(&error[..2]);
        let mut messages = CopyOutMessages::default();
        let mut out = Vec::new();
        assert_eq!(messages.push(&bytes, &mut out), CopyOutEnd::Continues);
        // The driver must get the whole message: its first bytes were in the previous piece.
        assert_eq!(
            messages.push(&error[2..], &mut out),
            CopyOutEnd::Other { at: 0, carried: 2 }
        );
        assert_eq!(messages.carried(), &error[..2]);
        assert_eq!(out, b"row");
    }
}
