// Polls the cheap notifications endpoint; when tickets arrive in the agent's
// categories, or customers reply there: a message on the page, a desktop
// notification and a short chime (both can be muted; the browser's permission
// is asked once, on a click).
import { client, data } from "./api";
import { toast } from "./dom";
import type { Counts } from "./types";

const MUTED = "helpdesk.muted";

export function muted(): boolean {
  return localStorage.getItem(MUTED) === "yes";
}

export function setMuted(value: boolean): void {
  localStorage.setItem(MUTED, value ? "yes" : "no");
}

/// Asks for desktop notifications if the browser has not been asked yet.
export async function askPermission(): Promise<NotificationPermission | "unsupported"> {
  if (!("Notification" in window)) return "unsupported";
  if (Notification.permission === "default") return Notification.requestPermission();
  return Notification.permission;
}

function chime(): void {
  try {
    const audio = new AudioContext();
    const tone = audio.createOscillator();
    const gain = audio.createGain();
    tone.frequency.value = 880;
    gain.gain.setValueAtTime(0.15, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.4);
    tone.connect(gain).connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + 0.4);
    tone.onended = () => void audio.close();
  } catch {
    // No audio here (or not allowed before a click): the page message still shows.
  }
}

export function startPolling(
  seconds: number,
  onCounts: (c: Counts) => void,
  onArrival: () => void,
): () => Promise<void> {
  let cursor = "";
  let stopped = false;
  let timer: number | undefined;
  // The question on the wire, if any: stopping waits for it, so a sign-out's
  // "away" is never overtaken by a last "here".
  let asking: Promise<void> = Promise.resolve();
  const tick = async () => {
    try {
      const n = await data(
        client.GET("/api/agent/notifications", {
          params: { query: cursor ? { since: cursor } : {} },
        }),
      );
      cursor = n.cursor;
      onCounts(n.counts);
      const said: string[] = [];
      if (n.new_tickets.length > 0) {
        const first = n.new_tickets[0];
        said.push(
          n.new_tickets.length === 1
            ? `New ticket ${first.reference}: ${first.subject}`
            : `${n.new_tickets.length} new tickets, the latest ${first.reference}: ${first.subject}`,
        );
      }
      if (n.customer_replies.length > 0) {
        const where = n.customer_replies.map((r) => `${r.count} in ${r.name}`).join(", ");
        said.push(`Customers replied: ${where}`);
      }
      if (said.length > 0) {
        const text = said.join(" · ");
        toast(text);
        if (!muted()) {
          chime();
          if ("Notification" in window && Notification.permission === "granted") {
            new Notification("Helpdesk", { body: text, tag: "helpdesk-arrival" });
          }
        }
        onArrival();
      }
    } catch {
      // A failed poll is retried on the next tick; signing out is handled by api().
    }
    if (!stopped) timer = window.setTimeout(() => (asking = tick()), seconds * 1000);
  };
  asking = tick();
  return () => {
    stopped = true;
    if (timer !== undefined) clearTimeout(timer);
    return asking;
  };
}
