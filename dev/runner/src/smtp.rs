//! A small SMTP listener (dev only) so a real mail client or `swaks` can write to
//! the desk: each accepted message is stored in the raw-mail bucket exactly as
//! `POST /dev/inbound` does, and from there takes SES's path (S3 → SQS).

use crate::dev::{DevState, MAX_INBOUND, store_inbound};
use std::sync::Arc;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// Longest command line accepted (RFC 5321 allows 512 octets).
const MAX_LINE: usize = 1000;

pub async fn serve(listener: TcpListener, dev: Arc<DevState>) {
    loop {
        match listener.accept().await {
            Ok((stream, peer)) => {
                let dev = dev.clone();
                tokio::spawn(async move {
                    if let Err(e) = session(stream, &dev).await {
                        tracing::warn!(%peer, error = %e, "SMTP session ended");
                    }
                });
            }
            Err(e) => tracing::warn!(error = %e, "SMTP accept failed"),
        }
    }
}

async fn session(stream: TcpStream, dev: &DevState) -> anyhow::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    write.write_all(b"220 helpdesk-dev ESMTP ready\r\n").await?;
    let mut has_sender = false;
    let mut recipients = 0usize;
    loop {
        let mut line = Vec::new();
        let n = (&mut reader)
            .take(MAX_LINE as u64)
            .read_until(b'\n', &mut line)
            .await?;
        if n == 0 {
            return Ok(());
        }
        let command = String::from_utf8_lossy(&line).trim_end().to_owned();
        let verb = command
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        let reply: &[u8] = match verb.as_str() {
            "EHLO" => b"250-helpdesk-dev\r\n250-SIZE 41943040\r\n250 8BITMIME\r\n",
            "HELO" => b"250 helpdesk-dev\r\n",
            "MAIL" => {
                has_sender = true;
                recipients = 0;
                b"250 OK\r\n"
            }
            "RCPT" if has_sender => {
                recipients += 1;
                b"250 OK\r\n"
            }
            "RCPT" => b"503 MAIL first\r\n",
            "DATA" if recipients > 0 => {
                write
                    .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                    .await?;
                let reply = match read_data(&mut reader).await? {
                    Some(raw) => match store_inbound(dev, raw).await {
                        Ok(key) => format!("250 OK stored as {key}\r\n"),
                        Err(e) => {
                            tracing::warn!(error = %e, "SMTP message not stored");
                            "451 Could not store the message, try again\r\n".to_owned()
                        }
                    },
                    None => "552 Message exceeds 40 MB\r\n".to_owned(),
                };
                write.write_all(reply.as_bytes()).await?;
                has_sender = false;
                recipients = 0;
                continue;
            }
            "DATA" => b"503 RCPT first\r\n",
            "RSET" => {
                has_sender = false;
                recipients = 0;
                b"250 OK\r\n"
            }
            "NOOP" => b"250 OK\r\n",
            "QUIT" => {
                write.write_all(b"221 Bye\r\n").await?;
                return Ok(());
            }
            _ => b"502 Command not implemented\r\n",
        };
        write.write_all(reply).await?;
    }
}

/// The message up to the lone `.` line, dot-unstuffed; `None` if it is too big
/// (the rest is read and dropped so the session stays in step).
async fn read_data<R: tokio::io::AsyncBufRead + Unpin>(
    reader: &mut R,
) -> anyhow::Result<Option<Vec<u8>>> {
    let mut raw = Vec::new();
    let mut too_big = false;
    loop {
        let mut line = Vec::new();
        if reader.read_until(b'\n', &mut line).await? == 0 {
            anyhow::bail!("connection closed inside DATA");
        }
        if line == b".\r\n" || line == b".\n" {
            return Ok((!too_big).then_some(raw));
        }
        let line = line.strip_prefix(b".").unwrap_or(&line);
        if raw.len() + line.len() > MAX_INBOUND {
            too_big = true;
            raw.clear();
        } else if !too_big {
            raw.extend_from_slice(line);
        }
    }
}
