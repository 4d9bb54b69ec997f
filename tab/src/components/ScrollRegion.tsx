import { makeStyles, tokens } from "@fluentui/react-components";
import type { ReactNode } from "react";

const useStyles = makeStyles({
  region: {
    overflowX: "auto",
    maxWidth: "100%",
    ":focus-visible": { outline: `2px solid ${tokens.colorStrokeFocus2}` },
  },
});

/** A horizontally scrollable area that keyboard users can reach (wide tables on narrow Teams panes). */
export function ScrollRegion({ label, children }: { label: string; children: ReactNode }) {
  const s = useStyles();
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be focusable to scroll by keyboard.
    <section className={s.region} tabIndex={0} aria-label={label}>
      {children}
    </section>
  );
}
