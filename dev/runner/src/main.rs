use local_runner::{Runner, seed};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    lambda_kit::init_tracing();
    let runner = Runner::from_env().await?;
    let seeded = seed::seed_demo(&*runner.functions.submit_form_deps.catalog).await?;
    runner.spawn_background().await?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", runner.config.port)).await?;
    println!(
        "{}",
        seed::banner(runner.config.port, runner.config.smtp_port, &seeded)
    );
    let service = runner
        .app()
        .into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, service)
        .with_graceful_shutdown(async {
            tokio::signal::ctrl_c().await.ok();
        })
        .await?;
    Ok(())
}
