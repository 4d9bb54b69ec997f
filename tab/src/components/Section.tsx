import { Body1, Card, makeStyles, Subtitle1, tokens } from "@fluentui/react-components";
import type { ReactNode } from "react";

const useStyles = makeStyles({
  card: { padding: tokens.spacingHorizontalXL, gap: tokens.spacingVerticalL },
  head: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXS },
  desc: { color: tokens.colorNeutralForeground2 },
  body: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL, maxWidth: "760px" },
});

/** A titled group of settings. */
export function Section({
  id,
  title,
  description,
  children,
}: {
  id: string;
  title: string;
  description?: ReactNode;
  children: ReactNode;
}) {
  const s = useStyles();
  return (
    <Card className={s.card} aria-labelledby={id} role="region">
      <div className={s.head}>
        <Subtitle1 as="h2" id={id}>
          {title}
        </Subtitle1>
        {description && <Body1 className={s.desc}>{description}</Body1>}
      </div>
      <div className={s.body}>{children}</div>
    </Card>
  );
}
