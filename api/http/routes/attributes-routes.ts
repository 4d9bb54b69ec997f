import { type NextFunction, type Request, type Response, Router } from "express";
import { writeAudit } from "../../audit/trail.ts";
import {
  type AttributeDefinition,
  attributeNameParam,
  defineAttributeSchema,
} from "../../contract/attributes.ts";
import type { Page } from "../../contract/common.ts";
import { isStoreError } from "../../store/errors.ts";
import type { Store } from "../../store/store.ts";
import { requireAdmin, requireReader } from "../principal.ts";
import { HttpProblem, notFound } from "../problem.ts";
import { parseInput } from "../validate.ts";

type Handler = (req: Request, res: Response) => Promise<void>;
const wrap = (fn: Handler) => (req: Request, res: Response, next: NextFunction) => fn(req, res).catch(next);

/** Custom profile attributes the customer defines before mapping Entra attributes onto them. */
export function attributesRoutes(store: Store): Router {
  const router = Router();
  const id = (name: string) => `attr.${name.toLowerCase()}`;

  router.get(
    "/attributes",
    wrap(async (req, res) => {
      const p = requireReader(req);
      const items = await store.attributeDefinitions.all(p.tenantId, { orderBy: "c.name ASC" });
      res.json({
        items: items.map(({ _etag, ...a }) => ({
          name: a.name,
          label: a.label,
          valueType: a.valueType,
          createdAt: a.createdAt,
        })),
      } satisfies Page<AttributeDefinition>);
    }),
  );

  router.post(
    "/attributes",
    wrap(async (req, res) => {
      const p = requireAdmin(req);
      const input = parseInput(defineAttributeSchema, req.body);
      try {
        const doc = await store.attributeDefinitions.create({
          id: id(input.name),
          tenantId: p.tenantId,
          type: "attributeDefinition",
          ...input,
          createdAt: new Date().toISOString(),
        });
        await writeAudit(store, {
          tenantId: p.tenantId,
          actor: { oid: p.oid, name: p.name, ...(p.upn ? { upn: p.upn } : {}) },
          action: "attribute.create",
          target: { kind: "attribute", id: doc.id, name: doc.name },
          changes: { attribute: { from: null, to: input } },
        });
        res.status(201).json({
          name: doc.name,
          label: doc.label,
          valueType: doc.valueType,
          createdAt: doc.createdAt,
        } satisfies AttributeDefinition);
      } catch (err) {
        if (isStoreError(err, "conflict"))
          throw new HttpProblem(409, {
            code: "exists",
            message: `Attribute ${input.name} already exists`,
            remedy: "Choose another name.",
            fields: { name: "already exists" },
          });
        throw err;
      }
    }),
  );

  router.delete(
    "/attributes/:name",
    wrap(async (req, res) => {
      const p = requireAdmin(req);
      const { name } = parseInput(attributeNameParam, req.params, "path");
      const existing = await store.attributeDefinitions.get(p.tenantId, id(name));
      if (!existing) throw notFound(`Attribute ${name}`);
      await store.attributeDefinitions.delete(p.tenantId, existing.id);
      await writeAudit(store, {
        tenantId: p.tenantId,
        actor: { oid: p.oid, name: p.name, ...(p.upn ? { upn: p.upn } : {}) },
        action: "attribute.delete",
        target: { kind: "attribute", id: existing.id, name: existing.name },
        changes: {
          attribute: {
            from: { name: existing.name, label: existing.label, valueType: existing.valueType },
            to: null,
          },
        },
      });
      res.status(204).end();
    }),
  );
  return router;
}
