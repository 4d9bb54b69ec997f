import { Validator } from "@seriousme/openapi-schema-validator";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { type ApiInit, type ApiResponse, callApi } from "./api-client.ts";

// ajv-formats is published as CommonJS with a default export.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

// biome-ignore lint/suspicious/noExplicitAny: an OpenAPI document is walked by key
type Doc = any;

/**
 * Calls /api/v1 the way an application does and checks every answer against the OpenAPI document the API
 * serves: the document itself must pass a real OpenAPI 3.1 validator, and each JSON answer must match the
 * schema the document gives for its path, method and status (extra fields fail, so no internal field leaks).
 */
export class V1Client {
  private constructor(
    private readonly baseUrl: () => string,
    readonly document: Doc,
    private readonly ajv: Ajv2020,
  ) {}

  static async connect(baseUrl: () => string): Promise<V1Client> {
    const res = await callApi(baseUrl(), "/api/v1/openapi.json");
    if (res.status !== 200) throw new Error(`GET /api/v1/openapi.json answered ${res.status}`);
    const validator = new Validator();
    const result = await validator.validate(res.body);
    if (!result.valid)
      throw new Error(`The OpenAPI document is invalid: ${JSON.stringify(result.errors).slice(0, 2000)}`);
    if (validator.version !== "3.1") throw new Error(`Expected OpenAPI 3.1, got ${validator.version}`);
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema({ $id: "openapi", components: res.body.components });
    return new V1Client(baseUrl, res.body, ajv);
  }

  async call(path: string, init: ApiInit = {}): Promise<ApiResponse> {
    const res = await callApi(this.baseUrl(), path, init);
    this.check(path, (init.method ?? "GET").toLowerCase(), res);
    return res;
  }

  /** Throws when the answer does not match the document. */
  check(path: string, method: string, res: ApiResponse): void {
    const template = this.templateOf(new URL(path, "http://x").pathname.replace(/^\/api/, ""));
    const operation = this.document.paths[template]?.[method];
    if (!operation) throw new Error(`${method.toUpperCase()} ${template} is not in the OpenAPI document`);
    const response = operation.responses[String(res.status)];
    if (!response)
      throw new Error(
        `${method.toUpperCase()} ${path}: status ${res.status} is not documented (${res.text.slice(0, 300)})`,
      );
    const schema = response.content?.["application/json"]?.schema;
    if (!schema) return;
    const resolved = JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"openapi#/components/'));
    const validate = this.ajv.compile(resolved);
    if (!validate(res.body))
      throw new Error(
        `${method.toUpperCase()} ${path} (${res.status}) does not match the OpenAPI document: ${this.ajv.errorsText(validate.errors)}\n${res.text.slice(0, 500)}`,
      );
  }

  private templateOf(pathname: string): string {
    for (const template of Object.keys(this.document.paths)) {
      const re = new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]+")}$`);
      if (re.test(pathname)) return template;
    }
    throw new Error(`No OpenAPI path matches ${pathname}`);
  }
}
