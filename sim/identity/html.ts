/** Minimal, accessible HTML for the sign-in and consent pages (operable by playwright through roles). */

export function esc(value: unknown): string {
  return String(value ?? "")
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");
}

export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:Segoe UI,system-ui,sans-serif;background:#f2f2f2;margin:0}
main{max-width:440px;margin:48px auto;background:#fff;padding:32px;box-shadow:0 2px 6px rgba(0,0,0,.2)}
h1{font-size:24px;font-weight:600}h2{font-size:15px;color:#555;margin-top:20px}
button{display:block;width:100%;text-align:left;padding:10px;margin:6px 0;border:1px solid #ccc;background:#fff;cursor:pointer;font-size:15px}
button.primary{background:#0067b8;color:#fff;text-align:center}
.err{color:#a80000}ul{padding-left:20px}
</style></head><body><main>${body}</main></body></html>`;
}

export function hiddenFields(fields: Record<string, string | undefined>): string {
  return Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`)
    .join("");
}

/** response_mode=form_post: the browser posts the result to the redirect URI. */
export function formPost(redirectUri: string, fields: Record<string, string | undefined>): string {
  return page(
    "Working...",
    `<form method="post" action="${esc(redirectUri)}">${hiddenFields(fields)}
<noscript><button class="primary" type="submit">Continue</button></noscript></form>
<script>document.forms[0].submit()</script>`,
  );
}

export function withQuery(uri: string, params: Record<string, string | undefined>): string {
  const url = new URL(uri);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return url.toString();
}
