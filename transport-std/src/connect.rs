//! Opening a connection: name resolution, TCP and the TLS handshake, all under the call's
//! deadline.

use std::net::{IpAddr, SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::{Duration, Instant};

use juspay_core::Endpoint;
use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection, StreamOwned};

use crate::config::Config;
use crate::error::{Error, Result};
use crate::stream::{Limits, Stream};

/// Resolves (unless `config.connect_to` says where), connects to the first address that
/// answers, and completes the TLS handshake.
pub(crate) fn connect(
    config: &Config,
    tls: &Arc<ClientConfig>,
    endpoint: &Endpoint<'_>,
    limits: Limits,
) -> Result<Stream> {
    let deadline = limits.deadline;
    let host = endpoint.host();
    let connect_error = |source| Error::Connect {
        host: host.to_owned(),
        source,
    };
    let addresses = match config.connect_to {
        Some(address) => vec![address],
        None => resolve(host, endpoint.port(), deadline)?.map_err(connect_error)?,
    };
    let mut last_error =
        std::io::Error::new(std::io::ErrorKind::NotFound, "no address for the host");
    let mut tcp = None;
    for address in addresses {
        let left = remaining(deadline)?;
        match TcpStream::connect_timeout(&address, config.connect_timeout.min(left)) {
            Ok(stream) => {
                tcp = Some(stream);
                break;
            }
            Err(e) => last_error = e,
        }
    }
    let mut tcp = match tcp {
        Some(tcp) => tcp,
        None if matches!(last_error.kind(), std::io::ErrorKind::TimedOut)
            && Instant::now() >= deadline =>
        {
            return Err(Error::Timeout);
        }
        None => return Err(connect_error(last_error)),
    };
    tcp.set_nodelay(true).map_err(Error::Io)?;
    let server_name = ServerName::try_from(host.to_owned())
        .map_err(|_| Error::Config(format!("{host} is not a valid TLS server name")))?;
    let mut connection = ClientConnection::new(tls.clone(), server_name).map_err(Error::Tls)?;
    handshake(&mut connection, &mut tcp, limits)?;
    log::debug!(
        "connected to {host}:{} ({:?})",
        endpoint.port(),
        connection.protocol_version()
    );
    Ok(Stream::new(StreamOwned::new(connection, tcp), limits))
}

/// Name resolution through the OS. std's resolver has no timeout, so a host name is
/// resolved on a helper thread and the call stops waiting for it at the deadline (the
/// thread ends on its own when the OS answers). Address literals need no lookup.
pub(crate) fn resolve(
    host: &str,
    port: u16,
    deadline: Instant,
) -> Result<std::io::Result<Vec<SocketAddr>>> {
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(Ok(vec![SocketAddr::new(ip, port)]));
    }
    let (sender, receiver) = std::sync::mpsc::channel();
    let name = host.to_owned();
    std::thread::Builder::new()
        .name("juspay-dns".into())
        .spawn(move || {
            let _ = sender.send(
                (name.as_str(), port)
                    .to_socket_addrs()
                    .map(Iterator::collect),
            );
        })
        .map_err(Error::Io)?;
    match receiver.recv_timeout(remaining(deadline)?) {
        Ok(addresses) => Ok(addresses),
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => Err(Error::Timeout),
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => Ok(Err(std::io::Error::other(
            "name resolution thread ended without an answer",
        ))),
    }
}

pub(crate) fn remaining(deadline: Instant) -> Result<Duration> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        Err(Error::Timeout)
    } else {
        Ok(left)
    }
}

/// The TLS handshake, every read and write under the time left. Not rustls's
/// `complete_io`: it reads until the handshake is done, and a socket timeout set before it
/// bounds each read, not the whole, so a server that drips its handshake a byte at a time
/// would hold the call for as long as it likes.
fn handshake(connection: &mut ClientConnection, tcp: &mut TcpStream, limits: Limits) -> Result<()> {
    loop {
        while connection.wants_write() {
            limits.arm_write(tcp).map_err(Error::from_io)?;
            connection.write_tls(tcp).map_err(Error::from_io)?;
        }
        if !connection.is_handshaking() {
            return Ok(());
        }
        limits.arm_read(tcp).map_err(Error::from_io)?;
        match connection.read_tls(tcp) {
            Ok(0) => {
                return Err(Error::Io(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    "the server closed the connection during the TLS handshake",
                )));
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::from_io(e)),
        }
        if let Err(e) = connection.process_new_packets() {
            // Tell the server why, with the alert rustls queued, as complete_io does.
            if limits.arm_write(tcp).is_ok() {
                let _ = connection.write_tls(tcp);
            }
            return Err(Error::Tls(e));
        }
    }
}
