//! Problem documents for the answers the HTTP/1 parser gives on its own.
//!
//! actix-http answers a request it cannot parse (400), a request head over its 128 KiB
//! buffer or 96 header fields (431) and a head that does not arrive in time (408) before
//! any middleware runs, with an empty body and no hook to change it. [`ProblemIo`] sits
//! between the socket and the parser: it watches the request bytes go in (to tell a
//! request line that is too long, a 414, from headers that are, a 431) and replaces such
//! a bodiless error response, recognisable by having no `Content-Type` (every answer of
//! the application has one), with a problem document, before the connection closes.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use actix_web::rt::net::TcpStream;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::error::{ApiError, PROBLEM_JSON};
use super::http::MAX_URI_BYTES;
use actix_web::http::StatusCode;

/// Where the request bytes read so far stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reading {
    /// Inside a request line, this many bytes into it.
    RequestLine(usize),
    /// Inside the header fields; whether the current line is still empty.
    Headers { empty_line: bool },
}

/// A connection whose parser-level error answers become problem documents.
pub struct ProblemIo<T = TcpStream> {
    inner: T,
    reading: Reading,
    /// Length of the last complete request line: one between the 32 KiB we accept and
    /// the 64 KiB the `http` crate's URI type takes arrives whole and is a parse error
    /// (400) rather than a buffer overflow (431), and is still a 414.
    last_line: usize,
    /// A replacement answer not yet written to the socket, and how much of it was.
    pending: Vec<u8>,
    written: usize,
}

impl<T> ProblemIo<T> {
    pub fn new(inner: T) -> ProblemIo<T> {
        ProblemIo {
            inner,
            reading: Reading::RequestLine(0),
            last_line: 0,
            pending: Vec::new(),
            written: 0,
        }
    }

    /// Follows request lines and heads through the bytes read. Bodies are not
    /// delimited (the API takes none); a request line is only told apart at the start
    /// of a connection or after a head without a body, which is where it matters.
    fn observe(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.reading = match (self.reading, byte) {
                (Reading::RequestLine(n), b'\n') => {
                    self.last_line = n;
                    Reading::Headers { empty_line: true }
                }
                (Reading::RequestLine(n), _) => {
                    // A new request line begins: the last one no longer matters.
                    if n == 0 {
                        self.last_line = 0;
                    }
                    Reading::RequestLine(n + 1)
                }
                (Reading::Headers { empty_line: true }, b'\n') => Reading::RequestLine(0),
                (Reading::Headers { empty_line }, b'\r') => Reading::Headers { empty_line },
                (Reading::Headers { .. }, b'\n') => Reading::Headers { empty_line: true },
                (Reading::Headers { .. }, _) => Reading::Headers { empty_line: false },
            };
        }
    }

    fn request_line_too_long(&self) -> bool {
        match self.reading {
            Reading::RequestLine(n) if n > 0 => n > MAX_URI_BYTES,
            // In its head, or just past it (the parser answers once the head is whole).
            _ => self.last_line > MAX_URI_BYTES,
        }
    }
}

/// The problem document answer standing in for a bodiless parser error `head` (a whole
/// response head, up to and including the blank line), or `None` when `head` is not
/// one.
fn replacement(head: &[u8], request_line_too_long: bool) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(head).ok()?;
    let status_line = text.lines().next()?;
    let mut parts = status_line.splitn(3, ' ');
    let version = parts.next().filter(|v| v.starts_with("HTTP/1."))?;
    let code: u16 = parts.next()?.parse().ok()?;
    if !(400..600).contains(&code) {
        return None;
    }
    let lower = text.to_ascii_lowercase();
    if lower.contains("\r\ncontent-type:") || !lower.contains("\r\ncontent-length: 0\r\n") {
        return None;
    }
    let (status, detail) = match code {
        400 | 431 if request_line_too_long => (
            StatusCode::URI_TOO_LONG,
            format!("the request line is longer than the {MAX_URI_BYTES} bytes accepted"),
        ),
        431 => (
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            String::from(
                "the request head is larger than the server reads (128 KiB and 96 header fields at most)",
            ),
        ),
        400 => (
            StatusCode::BAD_REQUEST,
            String::from("the request is not valid HTTP/1.1"),
        ),
        408 => (
            StatusCode::REQUEST_TIMEOUT,
            String::from("the request head did not arrive in time"),
        ),
        other => {
            let status = StatusCode::from_u16(other).ok()?;
            (
                status,
                status
                    .canonical_reason()
                    .unwrap_or("the request failed")
                    .to_owned(),
            )
        }
    };
    let body = serde_json::to_string(&ApiError::Http { status, detail }.problem(None)).ok()?;
    let mut out = format!(
        "{version} {} {}\r\ncontent-type: {PROBLEM_JSON}\r\ncontent-length: {}\r\nconnection: close\r\n",
        status.as_str(),
        status.canonical_reason().unwrap_or(""),
        body.len()
    );
    if let Some(date) = text
        .split("\r\n")
        .find(|line| line.to_ascii_lowercase().starts_with("date:"))
    {
        out.push_str(date);
        out.push_str("\r\n");
    }
    out.push_str("\r\n");
    out.push_str(&body);
    Some(out.into_bytes())
}

impl<T: AsyncWrite + Unpin> ProblemIo<T> {
    /// Writes what is left of a replacement answer; ready when nothing is.
    fn poll_pending(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.written < self.pending.len() {
            let n = match Pin::new(&mut self.inner).poll_write(cx, &self.pending[self.written..]) {
                Poll::Ready(Ok(n)) => n,
                Poll::Ready(Err(error)) => return Poll::Ready(Err(error)),
                Poll::Pending => return Poll::Pending,
            };
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.written += n;
        }
        self.pending.clear();
        self.written = 0;
        Poll::Ready(Ok(()))
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for ProblemIo<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let result = Pin::new(&mut this.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = result {
            this.observe(&buf.filled()[before..]);
        }
        result
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for ProblemIo<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        match this.poll_pending(cx) {
            Poll::Ready(Ok(())) => {}
            Poll::Ready(Err(error)) => return Poll::Ready(Err(error)),
            Poll::Pending => return Poll::Pending,
        }
        if buf.starts_with(b"HTTP/1.")
            && let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n")
            && let Some(answer) = replacement(&buf[..end + 4], this.request_line_too_long())
        {
            this.pending = answer;
            this.written = 0;
            // The parser's answer counts as written: the replacement goes out in its
            // place, before anything else (flush and shutdown wait for it).
            let _ = this.poll_pending(cx);
            return Poll::Ready(Ok(end + 4));
        }
        Pin::new(&mut this.inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        match this.poll_pending(cx) {
            Poll::Ready(Ok(())) => Pin::new(&mut this.inner).poll_flush(cx),
            other => other,
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        match this.poll_pending(cx) {
            Poll::Ready(Ok(())) => Pin::new(&mut this.inner).poll_shutdown(cx),
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BARE_431: &[u8] = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\nconnection: close\r\ndate: Tue, 01 Dec 2026 10:00:00 GMT\r\n\r\n";

    #[test]
    fn bodiless_parser_errors_become_problems() {
        let answer =
            String::from_utf8(replacement(BARE_431, false).expect("replaced")).expect("text");
        assert!(answer.starts_with("HTTP/1.1 431 "), "{answer}");
        assert!(answer.contains("content-type: application/problem+json\r\n"));
        assert!(answer.contains("date: Tue, 01 Dec 2026"));
        let body = answer.split("\r\n\r\n").nth(1).expect("body");
        let length = format!("content-length: {}\r\n", body.len());
        assert!(answer.contains(&length), "{answer}");
        let problem: serde_json::Value = serde_json::from_str(body).expect("JSON");
        assert_eq!(problem["status"], 431);
        let long_line =
            String::from_utf8(replacement(BARE_431, true).expect("replaced")).expect("text");
        assert!(
            long_line.starts_with("HTTP/1.1 414 URI Too Long\r\n"),
            "{long_line}"
        );
    }

    #[test]
    fn application_answers_are_left_alone() {
        let problem = b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\ncontent-type: application/problem+json\r\n\r\n";
        assert!(replacement(problem, false).is_none());
        let ok = b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n";
        assert!(replacement(ok, false).is_none());
        let with_body = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 12\r\n\r\n";
        assert!(replacement(with_body, false).is_none());
    }

    #[test]
    fn request_lines_are_told_from_headers() {
        let mut io = ProblemIo::new(());
        io.observe(b"GET /");
        io.observe(&vec![b'a'; MAX_URI_BYTES + 1]);
        assert!(io.request_line_too_long());
        io.observe(b" HTTP/1.1\r\nHost: x\r\n");
        // The whole line arrived: the parser's answer (400 or 431) is still about it.
        assert!(io.request_line_too_long());
        io.observe(b"\r\n");
        assert!(io.request_line_too_long());
        io.observe(b"GET /next HTTP/1.1\r\n");
        assert_eq!(io.reading, Reading::Headers { empty_line: true });
        assert!(!io.request_line_too_long());
    }
}
