import express, { type Express, type Request, type Response } from "express";
import type { SimDirectory } from "../directory/directory.ts";
import type { SimStats } from "../stats.ts";
import { runBatch } from "./batch.ts";
import type { GraphService } from "./service.ts";
import type { GraphRequest, GraphResponse } from "./types.ts";

function send(res: Response, out: GraphResponse): void {
  res.status(out.status);
  for (const [k, v] of Object.entries(out.headers)) res.setHeader(k, v);
  if (out.body === undefined) res.end();
  else if (Buffer.isBuffer(out.body) || typeof out.body === "string") res.send(out.body);
  else res.send(JSON.stringify(out.body));
}

/** Mounts /v1.0 on the express app; everything else about Graph lives in GraphService. */
export function mountGraph(app: Express, dir: SimDirectory, graph: GraphService, stats: SimStats): void {
  const json = express.json({ limit: "4mb", type: () => true });
  app.all("/v1.0/*rest", json, async (req: Request, res: Response) => {
    const url = req.originalUrl.replace(/^\/v1\.0/i, "");
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers[k] = v;
    const greq: GraphRequest = { method: req.method, url, headers, body: req.body };
    const root = `${dir.baseUrl}/v1.0`;
    const isBatch = /^\/\$batch\/?$/i.test(url.split("?")[0] ?? "") && req.method === "POST";
    if (isBatch) stats.requests["POST /$batch"] = (stats.requests["POST /$batch"] ?? 0) + 1;
    const out = isBatch ? await runBatch(graph, greq, root, dir.now()) : await graph.handle(greq, root);
    send(res, out);
  });
}
