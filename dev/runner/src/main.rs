use local_runner::{Runner, pollers, schedule, seed};
use std::time::Duration;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    lambda_kit::init_tracing();
    let runner = Runner::from_env().await?;
    let seeded = seed::seed_demo(&*runner.functions.submit_form_deps.catalog).await?;
    let sqs = runner.aws.sqs();
    let f = &runner.functions;
    tokio::spawn(pollers::poll_forever(
        sqs.clone(),
        f.outbound_queue_url.clone(),
        "send-reply",
        f.outbound_handler(),
    ));
    tokio::spawn(pollers::poll_forever(
        sqs,
        runner.config.inbound_queue_url.clone(),
        "inbound-mail",
        f.inbound_handler(),
    ));
    tokio::spawn(schedule::tick_forever(
        f.sla_escalation.clone(),
        Duration::from_secs(runner.config.tick_seconds),
    ));
    tokio::spawn(local_runner::dev::loop_back_forever(
        runner.dev_state(),
        Duration::from_secs(2),
    ));
    let smtp = tokio::net::TcpListener::bind(("127.0.0.1", runner.config.smtp_port)).await?;
    tokio::spawn(local_runner::smtp::serve(smtp, runner.dev_state()));
    let app = runner.app();
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", runner.config.port)).await?;
    println!(
        "{}",
        seed::banner(runner.config.port, runner.config.smtp_port, &seeded)
    );
    let service = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, service)
        .with_graceful_shutdown(async {
            tokio::signal::ctrl_c().await.ok();
        })
        .await?;
    Ok(())
}
