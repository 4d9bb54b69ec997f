/**
 * The local Cosmos server's patches change shared modules, so each is applied once per process however many
 * servers start; the answer (whether it applied, false when the package's code no longer matches) is kept.
 */
export function patchOnce(apply: () => boolean): () => boolean {
  let applied: boolean | undefined;
  return () => {
    applied ??= apply();
    return applied;
  };
}
