//! Turning away a connection beyond a server's bound, without a task or a wait.

use std::io::{Read, Write};
use std::net::Shutdown;

use tokio::net::TcpStream;

/// The most bytes read and dropped from a refused connection before it is closed.
const MAX_UNREAD: usize = 64 * 1024;

/// Answers a connection a server will not serve with one non-blocking write of `answer` (a
/// whole HTTP response), then closes it: nothing is spawned and nothing waits, so a flood
/// cannot pile up work. A peer whose socket buffer is full simply sees the connection closed.
///
/// The answer is followed by the end of the stream, and what the peer has already sent (up
/// to 64 KiB) is read and dropped: closing a socket with unread bytes resets the connection,
/// and a reset can reach the peer before it has read the answer. The socket is handed back
/// from the runtime to do so (a plain, still non-blocking socket, shut down for writing).
pub fn refuse(stream: TcpStream, answer: &[u8]) {
    let Ok(mut stream) = stream.into_std() else {
        return;
    };
    let _ = stream.write(answer);
    let _ = stream.shutdown(Shutdown::Write);
    let mut unread = [0; 4096];
    let mut dropped = 0;
    while dropped < MAX_UNREAD {
        match stream.read(&mut unread) {
            Ok(n) if n > 0 => dropped += n,
            _ => break,
        }
    }
}
