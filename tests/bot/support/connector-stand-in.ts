import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedCall {
  method: string;
  path: string;
  conversationId?: string;
  body: Record<string, unknown>;
  authorization?: string;
}

export type ConnectorMode = "ok" | "blocked" | "gone";

/**
 * A local stand-in for the Bot Connector service at a conversation's serviceUrl: records what the bot posts and
 * answers like the connector does ({ id }), or refuses the way Teams does when the bot was removed (403
 * MessageWritesBlocked) or the conversation is gone (404).
 */
export class ConnectorStandIn {
  readonly calls: RecordedCall[] = [];
  mode: ConnectorMode = "ok";
  private server: Server | undefined;
  private next = 1;

  get serviceUrl(): string {
    const address = this.server?.address() as AddressInfo;
    return `http://127.0.0.1:${address.port}/`;
  }

  async start(): Promise<void> {
    this.server = createServer(async (req, res) => {
      const body = await readJson(req);
      const path = new URL(req.url ?? "/", "http://x").pathname;
      const match = /^\/v3\/conversations(?:\/([^/]+)\/activities(?:\/([^/]+))?)?$/.exec(path);
      const conversationId = match?.[1] ? decodeURIComponent(match[1]) : undefined;
      this.calls.push({
        method: req.method ?? "",
        path,
        ...(conversationId ? { conversationId } : {}),
        body,
        ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      });
      const send = (status: number, payload: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(payload));
      };
      if (!match) return send(404, { error: { code: "BadSyntax", message: "unknown path" } });
      if (this.mode === "blocked")
        return send(403, {
          error: { code: "MessageWritesBlocked", message: "Bot is not part of the conversation roster." },
        });
      if (this.mode === "gone")
        return send(404, { error: { code: "ConversationNotFound", message: "Conversation not found." } });
      const id = String(this.next++);
      if (req.method === "POST" && !match[1]) {
        const channel =
          (body.channelData as { channel?: { id?: string } } | undefined)?.channel?.id ?? "19:chat";
        return send(201, { id: `${channel};messageid=${id}`, activityId: id });
      }
      return send(req.method === "POST" ? 201 : 200, { id: match[2] ?? id });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
  }

  /** Posted cards, newest last: from new threads (POST /v3/conversations) and plain posts alike. */
  cards(): Array<{ call: RecordedCall; card: Record<string, unknown> }> {
    return this.calls.flatMap((call) => {
      const activity = (call.path === "/v3/conversations" ? call.body.activity : call.body) as
        | { attachments?: Array<{ content?: Record<string, unknown> }> }
        | undefined;
      const card = activity?.attachments?.[0]?.content;
      return card ? [{ call, card }] : [];
    });
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}
