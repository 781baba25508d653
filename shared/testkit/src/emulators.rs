//! A DynamoDB Local and a moto server of a test's own, on free loopback ports, so
//! the test may pause, cut and kill them without touching the stack every other
//! test shares. `make test` puts the programs' paths in the environment
//! (`HELPDESK_DDB_JAR`, `HELPDESK_MOTO_SERVER`, written by `infra/local/stack.sh`).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// One emulator process; killed when dropped.
pub struct Emulator {
    pub name: &'static str,
    pub addr: SocketAddr,
    child: Child,
}

impl Emulator {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGSTOP: the process hangs with its connections open, as a stalled service does.
    pub fn pause(&self) {
        signal(self.pid(), "STOP");
    }

    /// SIGCONT after [`Emulator::pause`].
    pub fn resume(&self) {
        signal(self.pid(), "CONT");
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sends `kill -<sig> <pid>` (the shell's `kill`: no libc binding needed).
pub fn signal(pid: u32, sig: &str) {
    let status = Command::new("kill")
        .arg(format!("-{sig}"))
        .arg(pid.to_string())
        .status()
        .unwrap_or_else(|e| panic!("kill -{sig} {pid}: {e}"));
    assert!(status.success(), "kill -{sig} {pid} failed");
}

/// A loopback port nobody listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("no free port: {e}"))
}

fn program(var: &str) -> PathBuf {
    let path = std::env::var(var).unwrap_or_else(|_| {
        panic!(
            "{var} is not set: run `make test`, or `make stack-up` and `source .local/stack.env`"
        )
    });
    PathBuf::from(path)
}

/// Waits until something answers HTTP on `addr` (any status), or panics after `limit`.
async fn wait_http(name: &str, addr: SocketAddr, child: &mut Child, limit: Duration) {
    let start = Instant::now();
    loop {
        if let Ok(mut stream) = tokio::net::TcpStream::connect(addr).await {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            let asked = stream
                .write_all(b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n")
                .await;
            let mut first = [0u8; 4];
            if asked.is_ok() && stream.read_exact(&mut first).await.is_ok() && &first == b"HTTP" {
                return;
            }
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("{name} exited while starting ({status})");
        }
        assert!(
            start.elapsed() < limit,
            "{name} did not answer on {addr} within {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn spawn(name: &'static str, command: &mut Command, log: &Path) -> Child {
    let out = std::fs::File::create(log).unwrap_or_else(|e| panic!("{log:?}: {e}"));
    let err = out.try_clone().unwrap_or_else(|e| panic!("{e}"));
    command
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .unwrap_or_else(|e| panic!("starting {name}: {e}"))
}

/// DynamoDB Local, in memory, on a free port. `dir` takes its log and the
/// metadata file it writes into its working directory.
pub async fn dynamodb(dir: &Path) -> Emulator {
    let jar = program("HELPDESK_DDB_JAR");
    let libs = jar
        .parent()
        .map(|d| d.join("DynamoDBLocal_lib"))
        .unwrap_or_default();
    let addr = SocketAddr::from(([127, 0, 0, 1], free_port()));
    let mut child = spawn(
        "DynamoDB Local",
        Command::new("java")
            .current_dir(dir)
            .arg("-Xmx512m")
            .arg(format!("-Djava.library.path={}", libs.display()))
            .arg("-jar")
            .arg(&jar)
            .args(["-inMemory", "-sharedDb", "-port"])
            .arg(addr.port().to_string()),
        &dir.join("ddb.log"),
    );
    wait_http("DynamoDB Local", addr, &mut child, Duration::from_secs(60)).await;
    Emulator {
        name: "dynamodb",
        addr,
        child,
    }
}

/// moto server (SQS, SES, S3) on a free port.
pub async fn moto(dir: &Path) -> Emulator {
    let server = program("HELPDESK_MOTO_SERVER");
    let addr = SocketAddr::from(([127, 0, 0, 1], free_port()));
    let mut child = spawn(
        "moto",
        Command::new(&server)
            .current_dir(dir)
            .args(["-H", "127.0.0.1", "-p"])
            .arg(addr.port().to_string()),
        &dir.join("moto.log"),
    );
    wait_http("moto", addr, &mut child, Duration::from_secs(60)).await;
    Emulator {
        name: "moto",
        addr,
        child,
    }
}

/// Creates the resources of `infra/resources.json` on `dynamodb` and `moto` with
/// the stack's own provisioning script; every queue's visibility timeout is
/// `visibility_seconds` when given (a test that scales time down). Returns the
/// variables the functions read.
pub fn provision(
    dynamodb: &str,
    moto: &str,
    visibility_seconds: Option<u32>,
) -> std::collections::HashMap<String, String> {
    let server = program("HELPDESK_MOTO_SERVER");
    let python = server
        .parent()
        .map(|bin| bin.join("python"))
        .unwrap_or_default();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../infra/local/provision.py");
    let mut command = Command::new(python);
    command
        .arg(script)
        .env("AWS_ENDPOINT_URL_DYNAMODB", dynamodb)
        .env("AWS_ENDPOINT_URL_SQS", moto)
        .env("AWS_ENDPOINT_URL_S3", moto)
        .env("AWS_ENDPOINT_URL_SESV2", moto);
    if let Some(seconds) = visibility_seconds {
        command.env("HELPDESK_QUEUE_VISIBILITY_SECONDS", seconds.to_string());
    }
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("provision.py: {e}"));
    assert!(
        out.status.success(),
        "provision.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.strip_prefix("export "))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}
