import type { HelpEntry } from "../cards/help.ts";

export type CommandName =
  | "sync now"
  | "sync users"
  | "sync lists"
  | "preview"
  | "status"
  | "history"
  | "why"
  | "pause"
  | "resume"
  | "set channel"
  | "help";

export interface CommandSpec extends HelpEntry {
  name: CommandName;
}

/** Every command, in the order help lists them. Mirrors the commandLists of appPackage/manifest.json. */
export const COMMANDS: CommandSpec[] = [
  {
    name: "sync now",
    usage: "sync now",
    description: "Run a full sync of users and lists now",
    adminOnly: true,
  },
  { name: "sync users", usage: "sync users", description: "Sync users (profiles) only", adminOnly: true },
  { name: "sync lists", usage: "sync lists", description: "Sync groups (lists) only", adminOnly: true },
  {
    name: "preview",
    usage: "preview",
    description: "Show what a sync would change, without changing anything",
    adminOnly: true,
  },
  {
    name: "status",
    usage: "status",
    description: "The connection, the running sync and the last result",
    adminOnly: false,
  },
  {
    name: "history",
    usage: "history [n]",
    description: "The last n syncs (5 unless you say)",
    adminOnly: false,
  },
  {
    name: "why",
    usage: "why <email or UPN>",
    description: "Why a person is synced, skipped or removed",
    adminOnly: false,
  },
  { name: "pause", usage: "pause", description: "Pause scheduled syncs", adminOnly: true },
  { name: "resume", usage: "resume", description: "Resume scheduled syncs", adminOnly: true },
  {
    name: "set channel",
    usage: "set channel",
    description: "Post sync alerts in this channel",
    adminOnly: true,
  },
  { name: "help", usage: "help", description: "This list", adminOnly: false },
];

export const specOf = (name: CommandName): CommandSpec =>
  COMMANDS.find((c) => c.name === name) as CommandSpec;
