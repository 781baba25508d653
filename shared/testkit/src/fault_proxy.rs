//! A TCP fault proxy in front of an emulator, on Toxiproxy's model: the functions
//! talk to the proxy, and the test adds named faults ("toxics") to one direction
//! of the connections — latency, a stall that ends in a closed connection, a
//! reset after so many bytes — each on a share of the connections, open ones
//! included; or it cuts the proxy off and brings it back on the same port.
//!
//! Written here rather than taken from the `noxious` crate (Toxiproxy's Rust
//! port): under a fault removed while a killed client's connections were still
//! draining, its proxy closed every later connection before the first answer.

use rand::{Rng, SeedableRng, rngs::StdRng};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

/// What a fault does to the bytes of each connection it applies to.
#[derive(Debug, Clone, Copy)]
pub enum Fault {
    /// Every chunk waits `ms` ± `jitter` milliseconds.
    Latency { ms: u64, jitter: u64 },
    /// Nothing passes; the connection is closed after `ms` milliseconds.
    Stall { ms: u64 },
    /// The connection is reset (RST) once `bytes` have passed: cut mid-message.
    ResetAfter { bytes: u64 },
}

/// Which way the bytes flow: `Request` (to the emulator) or `Response` (back).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Way {
    Request,
    Response,
}

#[derive(Debug, Clone)]
struct Toxic {
    name: String,
    fault: Fault,
    way: Way,
    toxicity: f32,
}

#[derive(Debug)]
struct Faults {
    toxics: Vec<Toxic>,
    rng: StdRng,
}

pub struct FaultProxy {
    pub name: &'static str,
    pub listen: SocketAddr,
    upstream: SocketAddr,
    faults: Arc<Mutex<Faults>>,
    /// How many times a fault acted on a chunk (delayed, stalled or reset it).
    applied: Arc<std::sync::atomic::AtomicU64>,
    /// The accept loop and every connection: dropping them closes the sockets.
    tasks: Option<JoinSet<()>>,
}

/// What one direction of one connection does next with a chunk.
enum Verdict {
    Delay(Duration),
    StallThenClose(Duration),
    ResetAt(String, u64),
}

impl FaultProxy {
    /// Starts a proxy on a free loopback port in front of `upstream`. `seed` makes
    /// its draws (which connections a partial fault hits, the jitter) repeatable.
    pub async fn start(name: &'static str, upstream: SocketAddr, seed: u64) -> Self {
        let listen = SocketAddr::from(([127, 0, 0, 1], crate::emulators::free_port()));
        let mut proxy = Self {
            name,
            listen,
            upstream,
            faults: Arc::new(Mutex::new(Faults {
                toxics: Vec::new(),
                rng: StdRng::seed_from_u64(seed),
            })),
            applied: Arc::default(),
            tasks: None,
        };
        proxy.run().await;
        proxy
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.listen)
    }

    /// How many times a fault acted on a chunk so far: a test shows its faults
    /// met traffic with it.
    pub fn applied(&self) -> u64 {
        self.applied.load(std::sync::atomic::Ordering::Relaxed)
    }

    async fn run(&mut self) {
        // The port was ours a moment ago; a cut proxy comes back on it.
        let mut attempt = 0;
        let listener = loop {
            match TcpListener::bind(self.listen).await {
                Ok(listener) => break listener,
                Err(e) if attempt < 50 => {
                    attempt += 1;
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("fault proxy {} on {}: {e}", self.name, self.listen),
            }
        };
        let mut tasks = JoinSet::new();
        let (upstream, faults, applied) =
            (self.upstream, self.faults.clone(), self.applied.clone());
        let connections = Arc::new(Mutex::new(JoinSet::new()));
        let held = connections.clone();
        tasks.spawn(async move {
            // Keeps the connections' tasks alive exactly as long as the accept loop.
            let _held = held;
            loop {
                let Ok((client, _)) = listener.accept().await else {
                    // Out of descriptors or an aborted handshake: keep serving.
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                };
                let (faults, applied) = (faults.clone(), applied.clone());
                let mut set = connections.lock().unwrap_or_else(|e| e.into_inner());
                while set.try_join_next().is_some() {}
                set.spawn(connection(client, upstream, faults, applied));
            }
        });
        self.tasks = Some(tasks);
    }

    /// Adds `fault` under `name` to the share `toxicity` (0–1) of the connections,
    /// open ones included, in the direction `way`.
    pub async fn add(&mut self, name: &str, fault: Fault, way: Way, toxicity: f32) {
        let mut faults = self.faults.lock().unwrap_or_else(|e| e.into_inner());
        faults.toxics.push(Toxic {
            name: name.to_owned(),
            fault,
            way,
            toxicity,
        });
    }

    /// Removes every fault; the connections flow freely again.
    pub async fn clear(&mut self) {
        self.faults
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .toxics
            .clear();
    }

    /// Cuts the proxy: open connections close, new ones are refused.
    pub fn cut(&mut self) {
        if let Some(mut tasks) = self.tasks.take() {
            tasks.abort_all();
        }
    }

    /// Brings a cut proxy back on the same port, with the faults it had.
    pub async fn restore(&mut self) {
        if self.tasks.is_none() {
            self.run().await;
        }
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.cut();
    }
}

/// One client connection: both directions pumped until either side closes or a
/// fault ends it.
async fn connection(
    client: TcpStream,
    upstream: SocketAddr,
    faults: Arc<Mutex<Faults>>,
    applied: Arc<std::sync::atomic::AtomicU64>,
) {
    let Ok(server) = TcpStream::connect(upstream).await else {
        return; // the client sees its connection closed, as with a dead upstream
    };
    let (client_read, client_write) = client.into_split();
    let (server_read, server_write) = server.into_split();
    // Which faults hit this connection is drawn once per fault, as Toxiproxy does.
    let drawn = Arc::new(Mutex::new(HashMap::new()));
    let request = pump(
        (client_read, server_write),
        Way::Request,
        (faults.clone(), drawn.clone()),
        applied.clone(),
    );
    let response = pump(
        (server_read, client_write),
        Way::Response,
        (faults, drawn),
        applied,
    );
    // Either direction ending (or a fault) ends the connection.
    tokio::select! {
        _ = request => {}
        _ = response => {}
    }
}

type Drawn = Arc<Mutex<HashMap<String, bool>>>;

async fn pump(
    (mut from, mut to): (
        tokio::net::tcp::OwnedReadHalf,
        tokio::net::tcp::OwnedWriteHalf,
    ),
    way: Way,
    (faults, drawn): (Arc<Mutex<Faults>>, Drawn),
    applied: Arc<std::sync::atomic::AtomicU64>,
) {
    let mut buffer = vec![0u8; 16 * 1024];
    let mut passed: u64 = 0;
    // A reset counts the bytes from when its fault first met this direction.
    let mut reset_from: HashMap<String, u64> = HashMap::new();
    loop {
        let n = match from.read(&mut buffer).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        let mut limit = n;
        let mut reset = false;
        let verdicts = verdicts(way, &faults, &drawn);
        if !verdicts.is_empty() {
            applied.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        for verdict in verdicts {
            match verdict {
                Verdict::Delay(d) => tokio::time::sleep(d).await,
                Verdict::StallThenClose(d) => {
                    tokio::time::sleep(d).await;
                    return;
                }
                Verdict::ResetAt(name, bytes) => {
                    let start = *reset_from.entry(name).or_insert(passed);
                    let room = usize::try_from((start + bytes).saturating_sub(passed))
                        .unwrap_or(usize::MAX);
                    if room < limit {
                        limit = room;
                        reset = true;
                    }
                }
            }
        }
        if to.write_all(&buffer[..limit]).await.is_err() {
            return;
        }
        passed += limit as u64;
        if reset {
            // SO_LINGER 0: the close sends a reset, as a dropped connection does.
            // `forget`: no FIN first; the reset goes out when the socket closes.
            let _ = to.as_ref().set_zero_linger();
            to.forget();
            return;
        }
    }
}

fn verdicts(
    way: Way,
    faults: &Mutex<Faults>,
    drawn: &Mutex<HashMap<String, bool>>,
) -> Vec<Verdict> {
    let mut faults = faults.lock().unwrap_or_else(|e| e.into_inner());
    let mut drawn = drawn.lock().unwrap_or_else(|e| e.into_inner());
    let Faults { toxics, rng } = &mut *faults;
    let mut verdicts = Vec::new();
    for t in toxics.iter().filter(|t| t.way == way) {
        let hit = *drawn
            .entry(t.name.clone())
            .or_insert_with(|| rng.random::<f32>() < t.toxicity);
        if !hit {
            continue;
        }
        verdicts.push(match t.fault {
            Fault::Latency { ms, jitter } => {
                let spread = if jitter == 0 {
                    0
                } else {
                    rng.random_range(0..=2 * jitter)
                };
                Verdict::Delay(Duration::from_millis((ms + spread).saturating_sub(jitter)))
            }
            Fault::Stall { ms } => Verdict::StallThenClose(Duration::from_millis(ms)),
            Fault::ResetAfter { bytes } => Verdict::ResetAt(t.name.clone(), bytes),
        });
    }
    verdicts
}
