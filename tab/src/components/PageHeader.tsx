import { Body1, Link, makeStyles, Title2, tokens } from "@fluentui/react-components";
import { ArrowLeft16Regular } from "@fluentui/react-icons";
import type { ReactNode } from "react";

const useStyles = makeStyles({
  root: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalXS,
    marginBottom: tokens.spacingVerticalL,
  },
  row: { display: "flex", alignItems: "center", flexWrap: "wrap", gap: tokens.spacingHorizontalM },
  title: { flexGrow: 1, margin: 0 },
  actions: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalS },
  back: { display: "inline-flex", alignItems: "center", gap: tokens.spacingHorizontalXS },
  sub: { color: tokens.colorNeutralForeground2 },
});

/** The title of a screen, an optional way back, a line of context and the screen's main actions. */
export function PageHeader({
  title,
  back,
  subtitle,
  actions,
}: {
  title: ReactNode;
  back?: { href: string; label: string };
  subtitle?: ReactNode;
  actions?: ReactNode;
}) {
  const s = useStyles();
  return (
    <header className={s.root}>
      {back && (
        <Link href={back.href} className={s.back}>
          <ArrowLeft16Regular aria-hidden />
          {back.label}
        </Link>
      )}
      <div className={s.row}>
        <Title2 as="h1" className={s.title}>
          {title}
        </Title2>
        {actions && <div className={s.actions}>{actions}</div>}
      </div>
      {subtitle && <Body1 className={s.sub}>{subtitle}</Body1>}
    </header>
  );
}
