// The agent API's JSON, as functions/agent-api/src/{view,queue,tickets}.rs write it.

export type Status = "new" | "open" | "waiting_on_customer" | "resolved" | "closed";
export type Priority = "low" | "normal" | "high" | "urgent";
export type Tier = "standard" | "premium";
export type Role = "agent" | "supervisor" | "admin";
export type ViewName = "unassigned" | "mine" | "waiting" | "overdue" | "all";

export interface ApiErrorBody {
  error: { code: string; message: string; fields?: { field: string; reason: string }[] };
}

export interface Me {
  agent: { id: string; name: string; email: string; role: Role };
  categories: { id: string; name: string }[];
  all_categories: { id: string; name: string }[];
  colleagues: { id: string; name: string; email: string; role: Role; categories: string[] }[];
}

export interface CategoryCount {
  id: string;
  name: string;
  new: number;
  open: number;
  waiting: number;
  unassigned: number;
  awaiting_response: number;
}

export interface Counts {
  views: Record<"unassigned" | "mine" | "waiting" | "all", number>;
  categories: CategoryCount[];
  received: Record<string, number>;
}

export interface Summary {
  reference: string;
  category: string;
  subject: string;
  status: Status;
  priority: Priority;
  tier: Tier;
  requester: string;
  assignee: string | null;
  created_at: string;
  updated_at: string;
  due_at: string | null;
  overdue: boolean;
}

export interface Page {
  items: Summary[];
  next: string | null;
}

export interface Ticket {
  reference: string;
  category: string;
  subject: string;
  status: Status;
  priority: Priority;
  tier: Tier;
  requester: { name: string; email: string };
  assignee: string | null;
  channel: "web" | "email" | null;
  details: Record<string, string>;
  created_at: string;
  updated_at: string;
  due_at: string | null;
  overdue: boolean;
  version: number;
  merged_into: string | null;
}

export interface Entry {
  id: string;
  kind: "customer" | "agent_reply" | "internal_note" | "system_event";
  author_type: "customer" | "agent" | "system";
  author: string;
  body: string;
  full_text: string | null;
  html: string | null;
  remote_images_blocked: number;
  authentication: Record<string, unknown> | null;
  threaded_by: string;
  attachments: { filename: string; content_type: string; size: number; url: string }[];
  created_at: string;
}

export interface TicketView {
  ticket: Ticket;
  thread: Entry[];
  requester_tickets: Summary[];
  sla: { policy: string; first_response: string; next_response: string; resolution: string } | null;
}

export interface Changed {
  ticket: Ticket;
  entries: Entry[];
  mail_queued: boolean;
}

export interface Conflict extends ApiErrorBody {
  ticket: Ticket;
  since: Entry[];
}

export interface Notifications {
  cursor: string;
  counts: Counts;
  new_tickets: Summary[];
}

export const STATUS_LABEL: Record<Status, string> = {
  new: "New",
  open: "Open",
  waiting_on_customer: "Waiting on customer",
  resolved: "Solved",
  closed: "Closed",
};
