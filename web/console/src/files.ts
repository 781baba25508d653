// Files an agent sends with a reply: each is uploaded straight to storage through
// a presigned URL (the API signs its type and size), then named in the reply.
import { ApiError, client, data } from "./api";
import { el, on } from "./dom";

export interface Uploaded {
  key: string;
  name: string;
  size: number;
}

const ACCEPT =
  "image/png,image/jpeg,image/gif,image/webp,application/pdf,text/plain,text/csv,application/zip";

function size(bytes: number): string {
  return bytes >= 1024 * 1024
    ? `${(bytes / 1024 / 1024).toFixed(1)} MB`
    : `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

async function upload(file: File): Promise<Uploaded> {
  const signed = await data(
    client.POST("/api/agent/uploads", {
      body: { filename: file.name, content_type: file.type, size: file.size },
    }),
  );
  const put = await fetch(signed.upload_url, {
    method: "PUT",
    headers: signed.headers,
    body: file,
  });
  if (!put.ok) throw new Error(`${file.name} could not be uploaded (${put.status}).`);
  return { key: signed.key, name: file.name, size: file.size };
}

/**
 * The "Attach files" field of the reply form; `files` is the list the reply
 * sends (kept by the caller across redraws), `busy` tells whether an upload is
 * still running.
 */
export function fileField(files: Uploaded[]): { box: HTMLElement; busy: () => boolean } {
  let running = 0;
  const input = el("input", {
    id: "reply-files",
    type: "file",
    multiple: true,
    accept: ACCEPT,
    "aria-describedby": "reply-files-help reply-files-error",
  });
  const list = el("ul", { class: "reply-files", "aria-live": "polite" });
  const error = el("p", {
    id: "reply-files-error",
    class: "field-error",
    role: "alert",
    hidden: true,
  });
  const draw = () => {
    list.replaceChildren(
      ...files.map((f, i) => {
        const remove = el("button", { type: "button", class: "link", text: `Remove ${f.name}` });
        on(remove, "click", () => {
          files.splice(i, 1);
          draw();
        });
        return el("li", { "data-file": f.name }, `${f.name} (${size(f.size)}) `, remove);
      }),
    );
  };
  on(input, "change", async () => {
    const chosen = [...(input.files ?? [])];
    input.value = "";
    error.hidden = true;
    const problems: string[] = [];
    for (const file of chosen) {
      if (files.length >= 5) {
        problems.push(`At most 5 files: ${file.name} was left out.`);
        continue;
      }
      running += 1;
      try {
        files.push(await upload(file));
        draw();
      } catch (e) {
        const why =
          e instanceof ApiError
            ? (e.body.error.fields?.map((f) => f.reason).join(" ") ?? e.message)
            : e instanceof Error
              ? e.message
              : "The upload failed.";
        problems.push(`${file.name}: ${why}`);
      } finally {
        running -= 1;
      }
    }
    if (problems.length) {
      error.textContent = problems.join(" ");
      error.hidden = false;
    }
  });
  draw();
  const box = el(
    "div",
    { class: "field" },
    el("label", { for: "reply-files", text: "Attach files (sent with the reply)" }),
    input,
    el("p", {
      id: "reply-files-help",
      class: "hint",
      text: "Pictures, PDF, text, CSV or ZIP; up to 10 MB each, 5 files, 25 MB together.",
    }),
    list,
    error,
  );
  return { box, busy: () => running > 0 };
}
