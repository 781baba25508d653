//! Files in an agent's reply: uploaded straight to storage by a presigned URL,
//! named in the reply, checked (type, size, 25 MB together) and kept with it.

use super::*;
use helpdesk_domain::ports::TicketRecords;

impl World {
    /// Starts an upload as `user` and plays the browser's PUT of `size` bytes.
    async fn uploaded(&self, user: (&str, &str), name: &str, kind: &str, size: u64) -> String {
        let (status, body) = self
            .post(
                user.0,
                user.1,
                "/api/agent/uploads",
                json!({"filename": name, "content_type": kind, "size": size}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        assert_eq!(body["max_total"], 25 * 1024 * 1024);
        let url = body["upload_url"].as_str().unwrap();
        let key = url.strip_prefix("memory://upload/").unwrap();
        self.files.upload(key, size, kind);
        body["key"].as_str().unwrap().to_owned()
    }
}

#[tokio::test]
async fn a_reply_carries_the_files_the_agent_uploaded() {
    let w = world().await;
    let r = w.ticket("billing", "jane@example.com").await;
    let label = w
        .uploaded(ANA, "Return label.pdf", "application/pdf", 40_000)
        .await;
    let shot = w.uploaded(ANA, "screenshot.png", "image/png", 1_000).await;
    let (status, body) = w
        .post(
            ANA.0,
            ANA.1,
            &format!("/api/agent/tickets/{r}/replies"),
            json!({"body": "Here is your label.", "version": 1, "attachments": [label, shot]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let files = &body["entries"][0]["attachments"];
    assert_eq!(files.as_array().map(Vec::len), Some(2), "{body}");
    let thread = w.store.load_ticket(&r).await.unwrap();
    let reply = thread.messages.last().unwrap();
    let names: Vec<&str> = reply
        .attachments
        .iter()
        .map(|a| a.filename.as_str())
        .collect();
    assert_eq!(names, ["Return_label.pdf", "screenshot.png"]);
    assert!(
        reply
            .attachments
            .iter()
            .all(|a| a.key.starts_with("uploads/")),
        "kept where no browser can write: {:?}",
        reply.attachments
    );
    assert_eq!(w.queue.jobs().len(), 1, "one mail, with its files");
}

#[tokio::test]
async fn bad_uploads_and_attachments_are_named_and_nothing_is_sent() {
    let w = world().await;
    for (body, field) in [
        (
            json!({"filename": "a.exe", "content_type": "application/x-msdownload", "size": 10}),
            "content_type",
        ),
        (
            json!({"filename": "big.pdf", "content_type": "application/pdf", "size": 11 * 1024 * 1024}),
            "size",
        ),
        (
            json!({"filename": "", "content_type": "application/pdf", "size": 10}),
            "filename",
        ),
        (
            json!({"filename": "a.pdf", "content_type": "application/pdf", "size": 10, "acl": "public-read"}),
            "acl",
        ),
    ] {
        let (status, answer) = w
            .post(ANA.0, ANA.1, "/api/agent/uploads", body.clone())
            .await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert_eq!(
            answer["error"]["fields"][0]["field"], field,
            "{body}: {answer}"
        );
    }

    let r = w.ticket("billing", "jane@example.com").await;
    let path = format!("/api/agent/tickets/{r}/replies");
    let mut ten = Vec::new();
    for i in 0..3 {
        ten.push(
            w.uploaded(
                ANA,
                &format!("part{i}.zip"),
                "application/zip",
                10 * 1024 * 1024,
            )
            .await,
        );
    }
    let six: Vec<String> = (0..6).map(|i| format!("{:032x}/f{i}.pdf", i)).collect();
    // A handle with a guessed secret names no upload.
    let theirs = w.uploaded(BEA, "theirs.pdf", "application/pdf", 10).await;
    let guessed = theirs.replace(&theirs[..32], &"0".repeat(32));
    for (attachments, field) in [
        (json!(ten), "attachments"),
        (json!(six), "attachments"),
        (json!(["../../etc/passwd"]), "attachments[0]"),
        (json!([guessed]), "attachments[0]"),
        (json!("one.pdf"), "attachments"),
    ] {
        let (status, answer) = w
            .post(
                ANA.0,
                ANA.1,
                &path,
                json!({"body": "Files.", "version": 1, "attachments": attachments}),
            )
            .await;
        assert_eq!(status, 400, "{attachments}: {answer}");
        assert_eq!(
            answer["error"]["fields"][0]["field"], field,
            "{attachments}: {answer}"
        );
    }
    assert!(w.queue.jobs().is_empty(), "nothing was sent");
    let thread = w.store.load_ticket(&r).await.unwrap();
    assert_eq!(thread.messages.len(), 1, "nothing was written");
}

#[tokio::test]
async fn a_whole_number_written_as_40_0_is_a_size() {
    let w = world().await;
    let (status, body) = w
        .post(
            ANA.0,
            ANA.1,
            "/api/agent/uploads",
            json!({"filename": "a.pdf", "content_type": "application/pdf", "size": 40.0}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = w
        .post(
            ANA.0,
            ANA.1,
            "/api/agent/uploads",
            json!({"filename": "a.pdf", "content_type": "application/pdf", "size": 40.5}),
        )
        .await;
    assert_eq!(
        (status, body["error"]["fields"][0]["field"].clone()),
        (400, json!("size"))
    );
}
