import { z } from "zod";

/** /api/attributes: the custom profile attributes a customer defines before mapping Entra attributes onto them. */

const ATTRIBUTE_VALUE_TYPES = ["string", "number", "boolean", "string[]"] as const;

const attributeName = z
  .string()
  .trim()
  .regex(
    /^[A-Za-z][A-Za-z0-9_]{0,63}$/,
    "must start with a letter and use letters, digits or _ (at most 64)",
  );

/** POST /api/attributes. */
export const defineAttributeSchema = z
  .object({
    name: attributeName,
    label: z.string().trim().min(1, "enter a label").max(120, "at most 120 characters"),
    valueType: z.enum(ATTRIBUTE_VALUE_TYPES).default("string"),
  })
  .strict();
export type NewAttribute = z.input<typeof defineAttributeSchema>;

export const attributeNameParam = z.object({ name: attributeName });

export const attributeDefinitionSchema = z.object({
  name: z.string(),
  label: z.string(),
  valueType: z.enum(ATTRIBUTE_VALUE_TYPES),
  createdAt: z.string(),
});
export type AttributeDefinition = z.infer<typeof attributeDefinitionSchema>;
