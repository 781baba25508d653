// The agent API's JSON: aliases of the types generated from the OpenAPI document
// (functions/agent-api/openapi.json → src/api.gen.ts by `make openapi`).
import type { components } from "./api.gen";

type S = components["schemas"];

export type Status = S["Status"];
export type Priority = S["Priority"];
export type Tier = S["Tier"];
export type Role = S["Role"];
export type ViewName = "unassigned" | "mine" | "waiting" | "overdue" | "all";

export type ApiErrorBody = S["ErrorJson"];
export type Me = S["MeJson"];
export type CategoryCount = S["CategoryCountJson"];
export type Counts = S["CountsJson"];
export type Summary = S["SummaryJson"];
export type Page = S["PageJson"];
export type Ticket = S["TicketJson"];
export type Entry = S["EntryJson"];
export type RemoteImages = S["RemoteImagesJson"];
export type TicketView = S["ShowJson"];
export type Changed = S["ChangedJson"];
export type Conflict = S["ConflictJson"];
export type Notifications = S["NotificationsJson"];
export type Canned = S["CannedJson"];
export type CannedList = S["CannedListJson"];
export type FaqEntry = S["FaqJson"];
export type FaqList = S["FaqListJson"];

export const STATUS_LABEL: Record<Status, string> = {
  new: "New",
  open: "Open",
  waiting_on_customer: "Waiting on customer",
  resolved: "Solved",
  closed: "Closed",
};
