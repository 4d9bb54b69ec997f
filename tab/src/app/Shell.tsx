import {
  Body1Strong,
  Button,
  Caption1,
  makeStyles,
  mergeClasses,
  Text,
  tokens,
} from "@fluentui/react-components";
import {
  ArrowSyncCircle24Regular,
  Code20Regular,
  History20Regular,
  Home20Regular,
  PeopleList20Regular,
  PersonQuestionMark20Regular,
  ShieldTask20Regular,
} from "@fluentui/react-icons";
import type { ReactNode } from "react";
import { href, type RouteName, useRoute } from "./router.ts";
import { useSession } from "./session.tsx";

const NAV: { label: string; to: string; icon: ReactNode; match: RouteName[] }[] = [
  {
    label: "Home",
    to: href({ name: "home" }),
    icon: <Home20Regular />,
    match: ["home", "connect", "settings", "scim", "run"],
  },
  {
    label: "History",
    to: href({ name: "history", query: {} }),
    icon: <History20Regular />,
    match: ["history", "task"],
  },
  {
    label: "Directory",
    to: href({ name: "profiles", query: {} }),
    icon: <PeopleList20Regular />,
    match: ["profiles", "lists", "profile", "list"],
  },
  {
    label: "Why (not) synced?",
    to: href({ name: "why", who: "" }),
    icon: <PersonQuestionMark20Regular />,
    match: ["why"],
  },
  { label: "Audit", to: href({ name: "audit" }), icon: <ShieldTask20Regular />, match: ["audit"] },
  { label: "API and webhooks", to: href({ name: "api" }), icon: <Code20Regular />, match: ["api"] },
];

const useStyles = makeStyles({
  root: {
    display: "grid",
    gridTemplateColumns: "220px 1fr",
    gridTemplateRows: "auto 1fr",
    minHeight: "100vh",
    backgroundColor: tokens.colorNeutralBackground2,
    color: tokens.colorNeutralForeground1,
    "@media (max-width: 760px)": { gridTemplateColumns: "1fr", gridTemplateRows: "auto auto 1fr" },
  },
  header: {
    gridColumn: "1 / -1",
    display: "flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalM,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalL}`,
    backgroundColor: tokens.colorNeutralBackground1,
    borderBottom: `1px solid ${tokens.colorNeutralStroke2}`,
  },
  brand: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalS, flexGrow: 1 },
  brandIcon: { color: tokens.colorBrandForeground1, display: "flex" },
  user: { display: "flex", flexDirection: "column", alignItems: "flex-end" },
  nav: {
    padding: tokens.spacingVerticalM,
    backgroundColor: tokens.colorNeutralBackground1,
    borderRight: `1px solid ${tokens.colorNeutralStroke2}`,
    "@media (max-width: 760px)": {
      borderRight: "none",
      borderBottom: `1px solid ${tokens.colorNeutralStroke2}`,
    },
  },
  list: {
    listStyle: "none",
    margin: 0,
    padding: 0,
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalXXS,
    "@media (max-width: 760px)": { flexDirection: "row", flexWrap: "wrap" },
  },
  link: {
    display: "flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalS,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    borderRadius: tokens.borderRadiusMedium,
    color: tokens.colorNeutralForeground2,
    textDecoration: "none",
    fontSize: tokens.fontSizeBase300,
    ":hover": { backgroundColor: tokens.colorNeutralBackground1Hover, color: tokens.colorNeutralForeground1 },
    ":focus-visible": { outline: `2px solid ${tokens.colorStrokeFocus2}`, outlineOffset: "-2px" },
  },
  current: {
    backgroundColor: tokens.colorNeutralBackground1Selected,
    // The text colour made for the selected background: black on cyan in high contrast, not white (1.46:1).
    color: tokens.colorNeutralForeground1Selected,
    fontWeight: tokens.fontWeightSemibold,
    boxShadow: `inset 3px 0 0 ${tokens.colorCompoundBrandStroke}`,
    // Forced colours drop backgrounds and shadows: the current page keeps the system's selection colours.
    "@media (forced-colors: active)": {
      forcedColorAdjust: "none",
      backgroundColor: "Highlight",
      color: "HighlightText",
      outline: "2px solid CanvasText",
    },
  },
  skip: {
    position: "absolute",
    left: "-10000px",
    border: "none",
    cursor: "pointer",
    top: "auto",
    ":focus": {
      left: tokens.spacingHorizontalL,
      top: tokens.spacingVerticalS,
      zIndex: 10,
      padding: tokens.spacingHorizontalS,
      backgroundColor: tokens.colorNeutralBackground1,
      color: tokens.colorBrandForeground1,
      outline: `2px solid ${tokens.colorStrokeFocus2}`,
    },
  },
  main: {
    padding: `${tokens.spacingVerticalXL} ${tokens.spacingHorizontalXXL}`,
    minWidth: 0,
    maxWidth: "1200px",
    "@media (max-width: 760px)": { padding: tokens.spacingHorizontalL },
  },
});

/** The skip link cannot use the hash (the router owns it): move focus to the content instead. */
function skipToMain() {
  document.getElementById("main")?.focus();
}

/** The frame around every screen: product name, who is signed in, and the main navigation. */
export function Shell({ children }: { children: ReactNode }) {
  const s = useStyles();
  const route = useRoute();
  const { me, inTeams, client } = useSession();
  const signOut = async () => {
    await client.logout().catch(() => undefined);
    window.location.reload();
  };
  return (
    <div className={s.root}>
      <button type="button" className={s.skip} onClick={skipToMain}>
        Skip to content
      </button>
      <header className={s.header}>
        <span className={s.brand}>
          <span className={s.brandIcon} aria-hidden>
            <ArrowSyncCircle24Regular />
          </span>
          <Text weight="semibold" size={400}>
            Entra Directory Sync
          </Text>
        </span>
        <span className={s.user}>
          <Body1Strong>{me.name}</Body1Strong>
          <Caption1>{me.isAdmin ? "Administrator" : "Read only"}</Caption1>
        </span>
        {!inTeams && (
          <Button appearance="subtle" onClick={signOut}>
            Sign out
          </Button>
        )}
      </header>
      <nav className={s.nav} aria-label="Main">
        <ul className={s.list}>
          {NAV.map((item) => {
            const current = item.match.includes(route.name);
            return (
              <li key={item.to}>
                <a
                  href={item.to}
                  className={mergeClasses(s.link, current && s.current)}
                  aria-current={current ? "page" : undefined}
                >
                  <span aria-hidden>{item.icon}</span>
                  {item.label}
                </a>
              </li>
            );
          })}
        </ul>
      </nav>
      <main className={s.main} id="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
